import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { TenantRequiredError } from '../errors/domain-errors';

export const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export const requestContextSchema = z.object({
  requestId: z.string().min(1).max(128),
  tenantId: z.uuid().nullable(),
  principal: z
    .object({
      kind: z.enum(['user', 'apiKey']),
      id: z.uuid(),
    })
    .nullable(),
  /** The session behind a user's access token (sign-out and "current session" need it). */
  sessionId: z.uuid().nullable(),
  /** The principal's role in `tenantId`, resolved by the gateway. */
  role: z.enum(ROLES).nullable(),
  platformAdmin: z.boolean(),
  scopes: z.array(z.string().max(64)).max(64),
  ip: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
});

/** Who is asking, for what tenant, from where: built by the gateway, trusted by subgraphs. */
export type RequestContext = z.infer<typeof requestContextSchema>;

export function anonymousContext(requestId: string): RequestContext {
  return {
    requestId,
    tenantId: null,
    principal: null,
    sessionId: null,
    role: null,
    platformAdmin: false,
    scopes: [],
    ip: null,
    userAgent: null,
  };
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` visible to everything it calls (logs, events, repositories). */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * The tenant of a tenant-scoped request. The gateway already refuses such requests without
 * one; subgraphs check again so a routing mistake cannot run a query with no tenant.
 */
export function requireTenant(context: RequestContext): string {
  if (!context.tenantId) throw new TenantRequiredError();
  return context.tenantId;
}
