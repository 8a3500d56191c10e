import { ROLES, type RequestContext, type Role } from '../context/request-context';

/**
 * What a reader of the journal sees of an event besides its type and payload, wherever an
 * event is read (`events`, `event`, subscriptions, a webhook delivery's `event`). The SDL of
 * `Event` states the same rules.
 */

/** The actor's IP and user agent: like the audit log, ADMIN and up, or an API key with audit:read. */
export function mayReadEventOrigin(request: RequestContext): boolean {
  return allowed(request, 'ADMIN', 'audit:read');
}

/**
 * The actor as a `User` (whose email auth resolves): any member, since members see each
 * other; an API key only with members:read, the scope that guards members' emails.
 */
export function mayReadEventActor(request: RequestContext): boolean {
  return allowed(request, 'VIEWER', 'members:read');
}

function allowed(request: RequestContext, role: Role, scope: string): boolean {
  if (!request.principal) return false;
  if (request.principal.kind === 'apiKey') return request.scopes.includes(scope);
  if (request.platformAdmin) return true;
  return request.role !== null && ROLES.indexOf(request.role) <= ROLES.indexOf(role);
}
