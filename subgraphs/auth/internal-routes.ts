import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  API_KEY_OWNER_PATH,
  API_KEY_VERIFY_PATH,
  JWKS_PATH,
  type ApiKeyOwnerAnswer,
} from '../../platform/auth';
import { ContextRejectedError, verifyContext } from '../../platform/context';
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

  const verifyApiKey: RequestHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
    try {
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
      try {
        verifyContext(req.headers, config.CONTEXT_SIGNING_SECRETS, config.CONTEXT_MAX_AGE_SECONDS);
      } catch (error) {
        if (!(error instanceof ContextRejectedError)) throw error;
        logger.warn({ reason: error.reason }, 'internal call rejected');
        req.resume();
        throw new UnauthenticatedError('Missing or invalid service context');
      }
      const body = parseJsonBody(await readBody(req, 4096), req.headers['content-type']);
      const key = (body as { key?: unknown } | undefined)?.key;
      if (typeof key !== 'string') throw new ValidationError('body must be {"key": "tsk_..."}');
      sendJson(res, 200, { apiKey: await apiKeys.verify(key) });
    } catch (error) {
      if (error instanceof DomainError) return sendGraphQLError(res, error, requestId);
      throw error;
    }
  };

  // Who created the API key a signed context names (see platform/auth/api-key-owner.ts).
  const apiKeyOwner: RequestHandler = async (req, res) => {
    const requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
    req.resume();
    try {
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
      let context;
      try {
        context = verifyContext(
          req.headers,
          config.CONTEXT_SIGNING_SECRETS,
          config.CONTEXT_MAX_AGE_SECONDS,
        );
      } catch (error) {
        if (!(error instanceof ContextRejectedError)) throw error;
        logger.warn({ reason: error.reason }, 'internal call rejected');
        throw new UnauthenticatedError('Missing or invalid service context');
      }
      if (context.principal?.kind !== 'apiKey' || !context.tenantId) {
        throw new ValidationError("the signed context must be an API key's");
      }
      const answer: ApiKeyOwnerAnswer = {
        userId: await apiKeys.ownerOf(context.tenantId, context.principal.id),
      };
      sendJson(res, 200, answer);
    } catch (error) {
      if (error instanceof DomainError) return sendGraphQLError(res, error, requestId);
      throw error;
    }
  };

  return {
    [JWKS_PATH]: jwks,
    [API_KEY_VERIFY_PATH]: verifyApiKey,
    [API_KEY_OWNER_PATH]: apiKeyOwner,
  };
}
