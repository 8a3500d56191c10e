import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { anonymousContext, type RequestContext } from '../../platform/context/request-context';
import { ValidationError } from '../../platform/errors/domain-errors';
import { isUuid } from '../../platform/graphql/ids';
import { REQUEST_ID_HEADER } from '../../platform/http/raw-answer';
import { clientIp, type TrustProxy } from '../security/trust-proxy';

export const TENANT_HEADER = 'x-tenant-id';
export { REQUEST_ID_HEADER };

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A client-supplied request id is kept when it is safe to log and echo; otherwise a new one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The context the gateway vouches for. It is built only from what the gateway itself checked;
 * client-sent `x-tessera-*` headers are never read and never forwarded.
 */
export function buildRequestContext(
  req: IncomingMessage,
  requestId: string,
  options: { trustProxy: TrustProxy },
): RequestContext {
  const context = anonymousContext(requestId);
  const tenant = req.headers[TENANT_HEADER];
  if (tenant !== undefined) {
    if (typeof tenant !== 'string' || !isUuid(tenant.trim())) {
      throw new ValidationError('X-Tenant-Id must be a tenant id (UUID)', { field: 'X-Tenant-Id' });
    }
    context.tenantId = tenant.trim().toLowerCase();
  }
  context.ip = clientIp(req, options.trustProxy);
  const userAgent = req.headers['user-agent'];
  context.userAgent = typeof userAgent === 'string' ? userAgent.slice(0, 512) : null;
  return context;
}
