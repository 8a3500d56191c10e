import type { VerifiedApiKey } from '../../platform/contracts/auth/api-key-verify';
import type { Role } from '../../platform/context/request-context';
import type { RoleResolver } from './role-resolver';

/**
 * Whether the creator of `key` still manages the key's tenant (true when no creator is
 * recorded, or when the tenant is gone and the tenant check refuses the key anyway).
 */
export type CreatorCheck = (
  key: Pick<VerifiedApiKey, 'tenantId' | 'createdBy'>,
  requestId: string,
) => Promise<boolean>;

/** The roles that create and keep API keys. */
export function managesKeys(role: Role | null): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}

/**
 * An API key acts for its tenant only while the user who created it may manage keys there.
 * Tenancy has auth revoke a former OWNER's or ADMIN's keys in the very transaction that removes
 * or demotes them; this check holds the line around it (a key created while the removal was
 * under way, an announcement lost to a Redis outage). The creator's role comes from the same
 * Redis-cached lookup as every member's, dropped at once on each membership change. Keys that
 * record no creator are not checked.
 */
export function creatorCheck(roles: Pick<RoleResolver, 'resolve'>): CreatorCheck {
  return async (key, requestId) => {
    if (!key.createdBy) return true;
    // Tenancy's silence is the lookup's coded SERVICE_UNAVAILABLE.
    const answer = await roles.resolve(key.tenantId, key.createdBy, requestId);
    // A deleted tenant is the tenant check's to refuse (FORBIDDEN), like any caller's.
    return answer.tenantStatus === null || managesKeys(answer.role);
  };
}
