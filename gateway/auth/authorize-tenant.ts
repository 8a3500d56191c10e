import type { RequestContext } from '../../platform/context/request-context';
import {
  type DomainError,
  ForbiddenError,
  TenantSuspendedError,
  UnauthenticatedError,
} from '../../platform/errors/domain-errors';
import type { ResolveOptions, RoleAnswer, RoleResolver } from './role-resolver';

/**
 * Decides whether the caller may act in the request's tenant, and with which role, before
 * any subgraph is called: a member (any role) or an API key of the tenant may; a platform
 * admin may without a role; nobody may in a suspended tenant. The role goes into the
 * signed context, where subgraphs check it again.
 */
export async function authorizeTenant(
  request: RequestContext,
  roles: RoleResolver,
  options?: ResolveOptions,
): Promise<void> {
  const tenantId = request.tenantId;
  const principal = request.principal;
  if (!tenantId) return;
  if (!principal) {
    throw new UnauthenticatedError('Sign in or send an API key to use a tenant');
  }
  // Tenancy not answering fails the request (SERVICE_UNAVAILABLE), never guesses a role.
  const answer = await roles.resolve(tenantId, principal.id, request.requestId, options);
  const refusal = tenantAccess(request, answer);
  if (refusal) throw refusal;
  request.role = principal.kind === 'user' ? answer.role : null;
}

/** Why `answer` keeps the request's caller out of its tenant, or null when it lets them in. */
export function tenantAccess(request: RequestContext, answer: RoleAnswer): DomainError | null {
  // An unknown tenant reads like one the caller is not in: ids do not reveal tenants.
  if (answer.tenantStatus === null) return new ForbiddenError('Not a member of this tenant');
  if (request.principal?.kind === 'user' && answer.role === null && !request.platformAdmin) {
    return new ForbiddenError('Not a member of this tenant');
  }
  if (answer.tenantStatus === 'SUSPENDED') return new TenantSuspendedError();
  return null;
}
