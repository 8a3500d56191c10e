import { tenantScope } from '../../../platform/db/scope';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import type { AuthServices } from '../auth-services';

/** Revoking touches the keys and tells the gateways; nothing else. */
export type CreatorKeyRevocationDeps = Pick<AuthServices, 'dataSource' | 'revocations'>;

/** Why a key went with its creator, in its `auth.api_key.revoked` event. */
export const CREATOR_LOST_ROLE = 'creator_lost_role';

/**
 * Revokes every live API key `userId` created in `tenantId`: tenancy calls this when the user
 * stops being an OWNER or ADMIN there. The revocations are committed with their events, then
 * announced to every gateway (which refuse the keys and close their sockets at once).
 */
export async function revokeKeysOfCreator(
  auth: CreatorKeyRevocationDeps,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  const revoked = await tenantScope(auth.dataSource, tenantId).run(async (manager) => {
    const ids = await new ApiKeyRepository(manager).revokeCreatedBy(tenantId, userId);
    for (const apiKeyId of ids) {
      await appendEvent(manager, {
        type: EventType.API_KEY_REVOKED,
        tenantId,
        payload: { apiKeyId, reason: CREATOR_LOST_ROLE },
      });
    }
    return ids;
  });
  const endsAt = new Date();
  await auth.revocations.announceApiKeys(revoked.map((apiKeyId) => ({ apiKeyId, endsAt })));
  return revoked;
}
