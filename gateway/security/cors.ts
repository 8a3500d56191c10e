import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ForbiddenError } from '../../platform/errors/domain-errors';
import { sendGraphQLError } from '../../platform/http/respond';
import { TENANT_HEADER } from '../http/request-context';

export const CORS_ALLOWED_METHODS = ['GET', 'POST'] as const;
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'x-tenant-id',
  'x-request-id',
  'x-csrf-token',
  'apollo-require-preflight',
  'x-apollo-operation-name',
] as const;
/** Response headers a page's scripts may read (the request id for support, when to retry). */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after'] as const;

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`), or `*` (only without credentials). */
  allowedOrigins: readonly string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
  /**
   * Origins allowed beyond the list for one tenant (tenants' own frontends), or with no
   * tenant, for any; none by default.
   */
  tenantOrigins?: (origin: string, tenantId?: string) => Promise<boolean>;
  logger?: Logger;
}

/**
 * Answers the CORS side of a GraphQL request. Returns true when it answered the request
 * itself (a preflight), false when the caller should go on. An origin not allowed gets no
 * Access-Control-Allow-Origin, so its page cannot read the answer; its preflight gets 403.
 * A tenant's origin is allowed only for requests naming that tenant in X-Tenant-Id; a
 * preflight names none, so it passes when any tenant allows the origin (it only lets the
 * browser send the request, which is then judged by its own tenant).
 * (CORS protects what a page may read; Apollo's CSRF prevention and the cookie session's
 * double-submit token protect what it may cause.)
 */
export function createCors(options: CorsOptions) {
  const exact = new Set(options.allowedOrigins.filter((origin) => origin !== '*'));
  const anyOrigin = options.allowedOrigins.includes('*');
  if (anyOrigin && options.allowCredentials) {
    throw new RangeError('CORS: * cannot be combined with credentials');
  }

  const isAllowed = async (origin: string, req: IncomingMessage): Promise<boolean> => {
    if (exact.has(origin) || anyOrigin) return true;
    if (!options.tenantOrigins) return false;
    // A preflight names no tenant; a request is judged by the tenant it names, if any.
    const named = req.headers[TENANT_HEADER];
    const tenantId = req.method === 'OPTIONS' ? undefined : (named as string | undefined)?.trim();
    if (req.method !== 'OPTIONS' && !tenantId) return false;
    try {
      return await options.tenantOrigins(origin, tenantId);
    } catch (error) {
      // An origin is allowed only when someone said so; a failed lookup says nothing.
      options.logger?.warn({ err: error }, 'CORS origin lookup failed');
      return false;
    }
  };

  return async function applyCors(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<boolean> {
    res.setHeader('vary', 'Origin');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const preflight = req.method === 'OPTIONS';
    if (origin === undefined) {
      if (!preflight) return false;
      // Not a CORS preflight, just a question about the resource.
      req.resume();
      res.writeHead(204, { allow: 'GET, POST, OPTIONS' });
      res.end();
      return true;
    }
    if (!(await isAllowed(origin, req))) {
      if (!preflight) return false;
      req.resume();
      sendGraphQLError(res, new ForbiddenError('This origin may not call the API'), requestId);
      return true;
    }
    res.setHeader('access-control-allow-origin', anyOrigin && !exact.has(origin) ? '*' : origin);
    if (options.allowCredentials) res.setHeader('access-control-allow-credentials', 'true');
    if (!preflight) {
      res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
      return false;
    }
    req.resume();
    res.writeHead(204, {
      'access-control-allow-methods': CORS_ALLOWED_METHODS.join(', '),
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(options.maxAgeSeconds),
    });
    res.end();
    return true;
  };
}
