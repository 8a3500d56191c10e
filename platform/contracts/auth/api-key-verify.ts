import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/** A key as the gateway needs it to authenticate a request. */
export const verifiedApiKeySchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  scopes: z.array(z.string()),
  /** ISO time, or null for a key that does not expire. */
  expiresAt: z.string().nullable(),
  /**
   * The user who created it: the key works only while that user is an OWNER or ADMIN of the
   * tenant. Null for keys whose creator is not recorded.
   */
  createdBy: z.uuid().nullable(),
});
export type VerifiedApiKey = z.infer<typeof verifiedApiKeySchema>;

/**
 * The gateway checks an `X-API-Key` with auth, which owns API keys: the key, answered with
 * the key's id, tenant and scopes, or null for a key that is unknown, revoked or past its
 * rotation grace.
 */
export const apiKeyVerifyCall = defineInternalCall({
  name: 'the API key check',
  path: '/internal/api-keys/verify',
  servedBy: ['auth'],
  callers: ['gateway'],
  mutating: false,
  request: z.object({ key: z.string().max(200) }),
  answer: z.object({ apiKey: verifiedApiKeySchema.nullable() }),
  timeoutMs: 2_000,
  bodyLimitBytes: 4 * 1024,
});
