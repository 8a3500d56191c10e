import { z } from 'zod';

/**
 * The auth process's internal revocation of the API keys a user created in a tenant, which
 * tenancy calls inside the transaction that leaves the user below ADMIN (removed, demoted,
 * gone): `POST API_KEYS_OF_CREATOR_REVOKE_PATH` with the acting request's signed context and
 * {@link RevokeApiKeysOfCreatorRequest}, answered with {@link RevokeApiKeysOfCreatorAnswer}
 * once the revocations are committed and announced to every gateway. Revoking what is
 * already revoked is a no-op, so a retried call is safe.
 */
export const API_KEYS_OF_CREATOR_REVOKE_PATH = '/internal/api-keys/revoke-created-by';

export const API_KEYS_OF_CREATOR_REVOKE_BODY_LIMIT_BYTES = 4 * 1024;

export const revokeApiKeysOfCreatorRequestSchema = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
});
export type RevokeApiKeysOfCreatorRequest = z.infer<typeof revokeApiKeysOfCreatorRequestSchema>;

export const revokeApiKeysOfCreatorAnswerSchema = z.object({
  /** The keys this call revoked (those revoked before are not listed). */
  revoked: z.array(z.uuid()),
});
export type RevokeApiKeysOfCreatorAnswer = z.infer<typeof revokeApiKeysOfCreatorAnswerSchema>;
