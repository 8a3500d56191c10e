import {
  ContextRejectedError,
  runWithContext,
  verifyContext,
  type RequestContext,
} from '../../../platform/context';
import { PayloadTooLargeError } from '../../../platform/errors';
import type { SubgraphRuntime } from '../../../platform/graphql';
import { readBody, sendJson, type RequestHandler } from '../../../platform/http';
import { ROLE_LOOKUP_BODY_LIMIT_BYTES, roleLookupRequestSchema } from '../../../platform/tenancy';
import { MembershipService } from '../services/membership.service';

/**
 * `POST /internal/roles`: the gateway asks for a user's role in a tenant before it resolves
 * the request context. Like `/graphql`, it answers only callers holding the service signing
 * secret; the gateway never forwards client requests here.
 */
export function roleLookupRoute(runtime: SubgraphRuntime): RequestHandler {
  const { config, logger, dataSource } = runtime;
  return async (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
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
      logger.warn({ reason: error.reason, ip: req.socket.remoteAddress }, 'role lookup refused');
      req.resume();
      return sendJson(res, 401, { error: 'missing or invalid service context' });
    }

    await runWithContext(context, async () => {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, ROLE_LOOKUP_BODY_LIMIT_BYTES)).toString('utf8'));
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          return sendJson(res, 413, { error: error.message });
        }
        if (error instanceof SyntaxError) return sendJson(res, 400, { error: 'body is not JSON' });
        throw error;
      }
      const parsed = roleLookupRequestSchema.safeParse(body);
      if (!parsed.success) {
        return sendJson(res, 400, { error: 'body must be {"tenantId": UUID, "userId": UUID}' });
      }
      const answer = await new MembershipService(dataSource, context).roleOf(
        parsed.data.tenantId.toLowerCase(),
        parsed.data.userId.toLowerCase(),
      );
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    });
  };
}
