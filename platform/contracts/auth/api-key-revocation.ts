import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * Tenancy has auth revoke the API keys a user created in a tenant, inside the transaction that
 * leaves the user below ADMIN (removed, demoted, gone), with the acting request's signed context
 * (which must name the same tenant). Answered once the revocations are committed and announced
 * to every gateway; revoking what is already revoked is a no-op, so a retried call is safe.
 * `revoked` lists the keys this call revoked.
 */
export const revokeApiKeysOfCreatorCall = defineInternalCall({
  name: 'the API key revocation by creator',
  path: '/internal/api-keys/revoke-created-by',
  servedBy: ['auth'],
  callers: ['tenancy'],
  mutating: true,
  request: z.object({ tenantId: z.uuid(), userId: z.uuid() }),
  answer: z.object({ revoked: z.array(z.uuid()) }),
  timeoutMs: 2_000,
  bodyLimitBytes: 4 * 1024,
});
