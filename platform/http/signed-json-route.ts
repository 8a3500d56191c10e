import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  ContextRejectedError,
  runWithContext,
  verifyContext,
  type RequestContext,
} from '../context';
import { PayloadTooLargeError } from '../errors';
import {
  annotateActiveSpan,
  contextFromCarrier,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
} from '../observability/tracing';
import { readBody } from './body';
import { sendJson } from './respond';
import type { RequestHandler } from './service-server';

export interface SignedJsonRoute<TSchema extends z.ZodType> {
  /** Names the route in log lines. */
  name: string;
  bodyLimitBytes: number;
  schema: TSchema;
  /** The 400 answer's message when the body does not match the schema. */
  expected: string;
  handle(request: z.infer<TSchema>, context: RequestContext, res: ServerResponse): Promise<void>;
}

/** What verifying a service signature needs: any subgraph's runtime has it. */
export interface SignedRouteRuntime {
  config: { CONTEXT_SIGNING_SECRETS: string[]; CONTEXT_MAX_AGE_SECONDS: number };
  logger: Logger;
}

/**
 * An internal `POST` route that, like `/graphql`, answers only callers holding the service
 * signing secret (401 otherwise, before the body is read), and hands the handler a JSON body
 * checked against `schema` (400 when it is not JSON or does not match, 413 over the limit).
 * The gateway never forwards client requests to these paths.
 */
export function signedJsonRoute<TSchema extends z.ZodType>(
  runtime: SignedRouteRuntime,
  route: SignedJsonRoute<TSchema>,
): RequestHandler {
  const { config, logger } = runtime;
  // A span per call, a child of the caller's (a worker job's) when it sent `traceparent`.
  return (req, res) =>
    inSpan(
      `internal ${route.name}`,
      { kind: SpanKind.SERVER, parent: contextFromCarrier(req.headers) },
      () => serve(req, res),
    );
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      logger.warn({ reason: error.reason, ip: req.socket.remoteAddress }, `${route.name} refused`);
      req.resume();
      return sendJson(res, 401, { error: 'missing or invalid service context' });
    }

    annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: context.requestId });
    await runWithContext(context, async () => {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, route.bodyLimitBytes)).toString('utf8'));
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          return sendJson(res, 413, { error: error.message });
        }
        if (error instanceof SyntaxError) return sendJson(res, 400, { error: 'body is not JSON' });
        throw error;
      }
      const parsed = route.schema.safeParse(body);
      if (!parsed.success) return sendJson(res, 400, { error: `body must be ${route.expected}` });
      await route.handle(parsed.data, context, res);
    });
  }
}
