import type { RequestContext } from '../../../platform/context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors/domain-errors';
import { ROLES, type Role } from '../entities/membership.entity';
import type { MembershipRepository } from '../repositories/membership.repository';

/** The API key scope that lets a program list a tenant's members. */
export const MEMBERS_READ_SCOPE = 'members:read';

/** OWNER > ADMIN > MEMBER > VIEWER. */
export function atLeast(role: Role | null, minimum: Role): boolean {
  return role !== null && ROLES.indexOf(role) <= ROLES.indexOf(minimum);
}

/**
 * Whether someone holding `role` may grant `invited` by invitation: OWNERs any role, ADMINs
 * any but OWNER, nobody else. Sending, replacing and revoking an invitation all follow it.
 */
export function mayGrant(role: Role | null, invited: Role): boolean {
  return atLeast(role, 'ADMIN') && (invited !== 'OWNER' || role === 'OWNER');
}

/**
 * The signed-in user behind a member-management request. API keys act for a tenant, not a
 * person, and manage no members; anonymous callers are asked to sign in.
 */
export function requireUser(request: RequestContext, action: string): string {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError(`Sign in to ${action}`);
  if (principal.kind !== 'user') {
    throw new ForbiddenError(`API keys cannot ${action}: sign in as a user`);
  }
  return principal.id;
}

/**
 * A first check on the role the gateway resolved, before any input is read: callers below
 * `minimum` learn nothing from validation errors. The decisive check is {@link roleNow}.
 */
export function requireRequestRole(request: RequestContext, minimum: Role, action: string): void {
  if (!request.platformAdmin && !atLeast(request.role, minimum)) {
    throw new ForbiddenError(`Only ${rolesFrom(minimum)} of this tenant ${action}`);
  }
}

/**
 * The actor's role as stored now, read under the tenant's membership lock: the role in the
 * request context may be a moment old (a concurrent demotion), and the rules about OWNERs
 * must hold against the committed state. Platform administrators act as OWNERs.
 */
export async function roleNow(
  memberships: MembershipRepository,
  request: RequestContext,
  tenantId: string,
  userId: string,
): Promise<Role | null> {
  if (request.platformAdmin) return 'OWNER';
  return (await memberships.findForUpdate(tenantId, userId))?.role ?? null;
}

export function requireRole(role: Role | null, minimum: Role, action: string): void {
  if (!atLeast(role, minimum)) {
    throw new ForbiddenError(`Only ${rolesFrom(minimum)} of this tenant ${action}`);
  }
}

/** "OWNERs and ADMINs" for ADMIN, "OWNERs" for OWNER, ... */
function rolesFrom(minimum: Role): string {
  const roles = ROLES.slice(0, ROLES.indexOf(minimum) + 1).map((role) => `${role}s`);
  return roles.length === 1 ? roles[0]! : `${roles.slice(0, -1).join(', ')} and ${roles.at(-1)}`;
}
