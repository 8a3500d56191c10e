import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../../platform/context/request-context';
import { DomainError } from '../../platform/errors/domain-errors';
import { callerLimits, type EdgeRateLimits, type RateLimitSubjects } from '../security/rate-limits';
import { authenticate, bearerToken, type Authenticators } from './authenticate';
import { tenantAccess } from './authorize-tenant';
import type { RoleResolver } from './role-resolver';

/** What the edge learnt while admitting a request, for the tenant check after parsing. */
export interface Admission {
  /** The request context with its caller filled in. */
  request: RequestContext;
  /**
   * The tenant's role generation marker read beside the limits (null: none; undefined: not
   * read, or Redis could not tell): the role check uses an answer kept under it as is.
   */
  tenantGeneration?: string | null;
  /** True when the tenant's budget was spent here already. */
  tenantSpent: boolean;
}

export interface AdmissionDeps {
  rateLimits: EdgeRateLimits;
  authenticators: Authenticators;
  roles: RoleResolver;
}

/**
 * Authenticates a request and spends its rate limits in as few Redis round trips as it can.
 * A caller whose credential costs something to check (a token not seen yet, an API key, or
 * none) spends its IP budget first, so floods stay cheap to refuse; a token whose signature
 * this pod checked already spends IP, user and (see below) tenant in one round trip, beside
 * the read of its tenant's role generation. The tenant's budget is spent there only when this
 * pod's kept answer says the caller is let into the tenant; should the marker show that
 * answer stale, the role is looked up again after parsing (a caller removed that very moment
 * has spent one unit of the tenant's budget, and is refused). While the pod's membership watch
 * proves its kept answers current, the marker is not read at all.
 */
export async function admitRequest(
  req: IncomingMessage,
  context: RequestContext,
  deps: AdmissionDeps,
): Promise<Admission> {
  const token = bearerToken(req);
  const known = token !== undefined && deps.authenticators.accessTokens.knows(token);
  if (!known && context.ip) await deps.rateLimits.spend([['ip', context.ip]]);
  let caller: RequestContext;
  try {
    caller = await authenticate(req, context, deps.authenticators);
  } catch (error) {
    // A known token that has since expired or been revoked still spends the IP's budget.
    if (known && context.ip && error instanceof DomainError) {
      await deps.rateLimits.spend([['ip', context.ip]]);
    }
    throw error;
  }
  const subjects: RateLimitSubjects[number][] = [...callerLimits(caller)];
  if (known && caller.ip) subjects.unshift(['ip', caller.ip]);
  const { tenantId, principal } = caller;
  const member = tenantId && principal ? ([tenantId, principal.id] as const) : undefined;
  // Proven current by the membership watch, a kept answer needs no generation marker.
  const current = member && deps.roles.current(...member);
  const kept = current ?? (member && deps.roles.cached(...member));
  const tenantSpent =
    tenantId !== null && kept !== undefined && tenantAccess(caller, kept.answer) === null;
  if (tenantSpent) subjects.push(['tenant', tenantId]);
  const [, tenantGeneration] = await Promise.all([
    subjects.length > 0 ? deps.rateLimits.spend(subjects) : undefined,
    current ? current.generation : member && deps.roles.generation(member[0]),
  ]);
  return { request: caller, tenantGeneration, tenantSpent };
}
