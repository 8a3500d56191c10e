import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  API_KEY_OWNER_PATH,
  API_KEY_VERIFY_PATH,
  JWKS_PATH,
  type ApiKeyOwnerAnswer,
} from '../../platform/auth';
import { ContextRejectedError, verifyContext, type RequestContext } from '../../platform/context';
import { DomainError, UnauthenticatedError, ValidationError } from '../../platform/errors';
import {
  parseJsonBody,
  readBody,
  sendGraphQLError,
  sendJson,
  type RequestHandler,
} from '../../platform/http';
import type { AuthConfig } from './config';
import type { ApiKeyVerifier } from './services/api-key-verifier';
import type { SigningKeySet } from './services/signing-keys';

/**
 * The auth process's HTTP routes beside GraphQL: the public JWKS (what the gateway verifies
 * access tokens with), and the gateway-only API key check, which needs the gateway's
 * signature like any subgraph request.
 */
export function authRoutes(options: {
  config: AuthConfig;
  keys: SigningKeySet;
  apiKeys: ApiKeyVerifier;
  logger: Logger;
}): Record<string, RequestHandler> {
  const { config, keys, apiKeys, logger } = options;

  const jwks: RequestHandler = async (_req, res) => {
    sendJson(res, 200, keys.jwks(), { 'cache-control': 'public, max-age=60' });
  };

  /**
   * A POST route for the gateway and subgraphs only: the caller's signed context is verified
   * (401 coded UNAUTHENTICATED otherwise) and domain errors are answered coded.
   */
  const signedRoute =
    (handle: (context: RequestContext, req: IncomingMessage) => Promise<unknown>): RequestHandler =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
      try {
        if (req.method !== 'POST') {
          return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
        }
        let context: RequestContext;
        try {
          context = verifyContext(
            req.headers,
            config.CONTEXT_SIGNING_SECRETS,
            config.CONTEXT_MAX_AGE_SECONDS,
          );
        } catch (error) {
          if (!(error instanceof ContextRejectedError)) throw error;
          logger.warn({ reason: error.reason }, 'internal call rejected');
          req.resume();
          throw new UnauthenticatedError('Missing or invalid service context');
        }
        sendJson(res, 200, await handle(context, req));
      } catch (error) {
        if (error instanceof DomainError) return sendGraphQLError(res, error, requestId);
        throw error;
      }
    };

  const verifyApiKey = signedRoute(async (_context, req) => {
    const body = parseJsonBody(await readBody(req, 4096), req.headers['content-type']);
    const key = (body as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string') throw new ValidationError('body must be {"key": "tsk_..."}');
    return { apiKey: await apiKeys.verify(key) };
  });

  // Who created the API key a signed context names (see platform/auth/api-key-owner.ts).
  const apiKeyOwner = signedRoute(async (context, req) => {
    req.resume();
    if (context.principal?.kind !== 'apiKey' || !context.tenantId) {
      throw new ValidationError("the signed context must be an API key's");
    }
    const answer: ApiKeyOwnerAnswer = {
      userId: await apiKeys.ownerOf(context.tenantId, context.principal.id),
    };
    return answer;
  });

  return {
    [JWKS_PATH]: jwks,
    [API_KEY_VERIFY_PATH]: verifyApiKey,
    [API_KEY_OWNER_PATH]: apiKeyOwner,
  };
}
