import { ROLES, type RequestContext, type Role } from '../../../platform/context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors/domain-errors';

/**
 * The subgraph's own check of who may change a tenant (the gateway checked the same SDL
 * directives first): a signed-in user with at least `minimum` in the request's tenant, or a
 * platform administrator. API keys act for programs and change no tenant. Returns the user id.
 */
export function requireTenantRole(request: RequestContext, minimum: Role, action: string): string {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError(`Sign in to ${action}`);
  if (principal.kind !== 'user') {
    throw new ForbiddenError(`API keys cannot ${action}: sign in as a user`);
  }
  if (!request.platformAdmin && !atLeast(request.role, minimum)) {
    throw new ForbiddenError(
      minimum === 'OWNER'
        ? `Only OWNERs of this tenant ${action}`
        : `Only ${minimum}s and higher roles of this tenant ${action}`,
    );
  }
  return principal.id;
}

/** Platform administrators only (`@platformAdmin` fields). Returns the user id. */
export function requirePlatformAdmin(request: RequestContext, action: string): string {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError(`Sign in to ${action}`);
  if (principal.kind !== 'user' || !request.platformAdmin) {
    throw new ForbiddenError(`Only platform administrators ${action}`);
  }
  return principal.id;
}

/** OWNER > ADMIN > MEMBER > VIEWER. */
export function atLeast(role: Role | null, minimum: Role): boolean {
  return role !== null && ROLES.indexOf(role) <= ROLES.indexOf(minimum);
}
