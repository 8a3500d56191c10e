import type { IncomingMessage } from 'node:http';
import type { Counter } from 'prom-client';
import type { RequestContext } from '../../platform/context/request-context';
import {
  DomainError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from '../../platform/errors/domain-errors';
import { credentialFromCookies } from '../security/csrf';
import type { AccessTokenVerifier } from './access-tokens';
import type { ApiKeyAuthenticator } from './api-keys';

export interface Authenticators {
  accessTokens: AccessTokenVerifier;
  apiKeys: ApiKeyAuthenticator;
  /** `tessera_gateway_authentications_total{method,outcome}`. */
  counter: Counter<'method' | 'outcome'>;
}

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

/**
 * Fills in who is calling: a user (`Authorization: Bearer <access token>`) or a program
 * (`X-API-Key`), or nobody. A credential that is present but wrong is an error, never a
 * silent fall back to anonymous. An API key acts only in the tenant it was issued for, and
 * only when the request names it (X-Tenant-Id): the gateway never picks a tenant itself.
 * A browser session may carry its access token in the `tessera_access` cookie instead, only
 * with the double-submit CSRF token; a credential header always wins over cookies.
 */
export async function authenticate(
  req: IncomingMessage,
  context: RequestContext,
  auth: Authenticators,
): Promise<RequestContext> {
  const authorization = header(req, 'authorization');
  const apiKey = header(req, 'x-api-key');
  if (authorization !== undefined && apiKey !== undefined) {
    throw new ValidationError('Send either Authorization or X-API-Key, not both');
  }
  const cookie =
    authorization === undefined && apiKey === undefined ? credentialFromCookies(req) : null;
  if (authorization !== undefined || cookie) {
    const token = cookie ? cookie.token : BEARER.exec((authorization ?? '').trim())?.[1];
    const verified = await counted(auth, 'access_token', () => {
      if (!token) throw new UnauthenticatedError('Authorization must be "Bearer <access token>"');
      return auth.accessTokens.verify(token);
    });
    return {
      ...context,
      principal: { kind: 'user', id: verified.userId },
      sessionId: verified.sessionId,
      platformAdmin: verified.platformAdmin,
    };
  }
  if (apiKey !== undefined) {
    const key = await counted(auth, 'api_key', async () => {
      const verified = await auth.apiKeys.authenticate(apiKey.trim(), context.requestId);
      if (context.tenantId && context.tenantId !== verified.tenantId) {
        throw new ForbiddenError('This API key belongs to another tenant');
      }
      return verified;
    });
    return {
      ...context,
      principal: { kind: 'apiKey', id: key.id },
      scopes: key.scopes,
    };
  }
  return context;
}

async function counted<T>(
  auth: Authenticators,
  method: 'access_token' | 'api_key',
  fn: () => Promise<T>,
): Promise<T> {
  try {
    const result = await fn();
    auth.counter.inc({ method, outcome: 'ok' });
    return result;
  } catch (error) {
    auth.counter.inc({
      method,
      outcome: error instanceof DomainError ? error.code.toLowerCase() : 'error',
    });
    throw error;
  }
}

/**
 * The access token of an `Authorization: Bearer` header, when that is the request's only
 * credential (cookies are left to {@link authenticate}, which checks their CSRF token).
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const authorization = header(req, 'authorization');
  if (authorization === undefined || header(req, 'x-api-key') !== undefined) return undefined;
  return BEARER.exec(authorization.trim())?.[1];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
