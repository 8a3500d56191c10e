import type { IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import type { RequestContext } from '../../platform/context/request-context';
import { ValidationError } from '../../platform/errors/domain-errors';
import { authenticate, type Authenticators } from '../auth/authenticate';
import { buildRequestContext, requestIdFor, TENANT_HEADER } from '../http/request-context';
import type { TrustProxy } from '../security/trust-proxy';

/** What a graphql-ws client sends in `connectionParams`. */
export type ConnectionParams = Record<string, unknown> & {
  /** `Bearer <access token>`, or the token alone. */
  authorization?: unknown;
  accessToken?: unknown;
  apiKey?: unknown;
  tenantId?: unknown;
};

export interface AuthenticatedConnection {
  request: RequestContext;
  /** When the access token or API key stops being valid; the socket closes then. */
  expiresAt: number | null;
  /** An API key's creator, whose role in the tenant keeps the key (and the socket) alive. */
  keyCreator: string | null;
}

/**
 * Authenticates a socket the way an HTTP request is: the same credential checks, run on the
 * headers the connection params stand for. Cookies and other headers of the upgrade request
 * are not credentials here.
 */
export async function authenticateConnection(
  upgrade: IncomingMessage,
  params: ConnectionParams | undefined,
  authenticators: Authenticators,
  options: { trustProxy: TrustProxy },
): Promise<AuthenticatedConnection> {
  const headers: Record<string, string> = {};
  const token = text(params?.accessToken) ?? text(params?.authorization);
  if (token) headers.authorization = /^bearer /i.test(token) ? token : `Bearer ${token}`;
  const apiKey = text(params?.apiKey);
  if (apiKey) headers['x-api-key'] = apiKey;
  const tenantId = text(params?.tenantId);
  if (tenantId) headers[TENANT_HEADER] = tenantId;
  for (const name of ['user-agent', 'x-forwarded-for', 'x-request-id']) {
    const value = upgrade.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const synthetic = { headers, socket: upgrade.socket } as unknown as IncomingMessage;
  const base = buildRequestContext(synthetic, requestIdFor(synthetic), options);
  const request = await authenticate(synthetic, base, authenticators);
  if (request.principal?.kind === 'apiKey' && apiKey) {
    // Answered from the check just made (this pod's cache): its expiry and creator.
    const key = await authenticators.apiKeys.authenticate(apiKey.trim(), request.requestId);
    const expiresAt = key.expiresAt === null ? null : Date.parse(key.expiresAt);
    return { request, expiresAt, keyCreator: key.createdBy };
  }
  const expiresAt = token ? (decodeJwt(token.replace(/^bearer /i, '')).exp ?? null) : null;
  return { request, expiresAt: expiresAt === null ? null : expiresAt * 1000, keyCreator: null };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 8192) {
    throw new ValidationError('connection params must be short strings');
  }
  return value;
}
