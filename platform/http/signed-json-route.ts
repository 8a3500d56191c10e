import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ServiceSigning } from '../config/service-keys';
import { ContextRejectedError, type VerifiedRequest } from '../context/signed-request';
import { runWithContext, type RequestContext } from '../context/request-context';
import { type ReplayGuard } from '../context/replay-guard';
import { type ServiceName } from '../context/service-keys';
import {
  DomainError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/domain-errors';
import { ErrorCode } from '../errors/codes';
import type { CallAnswer, InternalCall } from '../internal-calls/contract';
import {
  annotateActiveSpan,
  contextFromCarrier,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
} from '../observability/tracing';
import { readBody } from './body';
import { sendGraphQLError, sendJson } from './respond';
import type { RequestHandler } from './service-server';

/** What serving signed requests needs: any process's runtime has it. */
export interface SignedRouteRuntime {
  signing: Pick<ServiceSigning, 'service' | 'verifier'>;
  /** Claims the nonces of requests to mutating routes. */
  replayGuard: ReplayGuard;
  logger: Logger;
}

/** The coded answer to a refused signature: 403 for a caller the route does not accept. */
export function signatureRefusal(error: ContextRejectedError): DomainError {
  return error.reason === 'caller-not-allowed'
    ? new ForbiddenError('This service may not call this route')
    : new UnauthenticatedError('Missing or invalid service signature');
}

/**
 * Checks a signed request's headers (before its body is read), as the route that accepts
 * `callers`. Logs and rethrows refusals as coded errors ({@link signatureRefusal}).
 */
export function verifySignedHeaders(
  runtime: Pick<SignedRouteRuntime, 'signing' | 'logger'>,
  req: IncomingMessage,
  callers: readonly ServiceName[],
  route: string,
): VerifiedRequest {
  try {
    return runtime.signing.verifier.verify(
      req.headers,
      { method: req.method ?? '', path: req.url ?? '' },
      callers,
    );
  } catch (error) {
    throw refused(runtime.logger, error, req, route);
  }
}

/** Checks the body against the signed hash, and claims the nonce of a mutating request. */
export async function verifySignedBody(
  runtime: SignedRouteRuntime,
  verified: VerifiedRequest,
  req: IncomingMessage,
  body: Buffer,
  options: { mutating: boolean; route: string },
): Promise<void> {
  try {
    verified.checkBody(body);
    if (options.mutating) await runtime.replayGuard.claim(verified);
  } catch (error) {
    throw refused(runtime.logger, error, req, options.route, verified.caller);
  }
}

function refused(
  logger: Logger,
  error: unknown,
  req: IncomingMessage,
  route: string,
  caller?: ServiceName,
): unknown {
  if (!(error instanceof ContextRejectedError)) return error;
  logger.warn(
    { reason: error.reason, caller, route, ip: req.socket.remoteAddress },
    'signed request refused',
  );
  return signatureRefusal(error);
}

/**
 * The server side of an internal call: a `POST` route that answers only the call's callers,
 * with a signature over this path, this service, this body and a fresh timestamp (401
 * otherwise, 403 for a caller not on the list), each request to a mutating call once, and a
 * JSON body that matches the call's request schema (400, 413 over its limit). The handler's
 * answer goes back as JSON; a DomainError it throws is answered coded, as every refusal.
 */
export function signedJsonRoute<C extends InternalCall>(
  runtime: SignedRouteRuntime,
  call: C,
  handle: (
    request: z.output<C['request']>,
    context: RequestContext,
    caller: ServiceName,
  ) => Promise<CallAnswer<C>>,
): RequestHandler {
  if (!call.servedBy.includes(runtime.signing.service)) {
    throw new Error(`${runtime.signing.service} does not serve ${call.name}`);
  }
  // A span per call, a child of the caller's when it sent `traceparent`.
  return (req, res) =>
    inSpan(
      `POST ${call.path}`,
      { kind: SpanKind.SERVER, parent: contextFromCarrier(req.headers) },
      () => serve(req, res),
    );

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
    // Answers (secrets among them) and refusals alike are never cached on the way.
    res.setHeader('cache-control', 'no-store');
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new DomainError(ErrorCode.BAD_REQUEST, 'Use POST', 405);
      }
      const verified = verifySignedHeaders(runtime, req, call.callers, call.path);
      requestId = verified.context.requestId;
      annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: requestId });
      const raw = await readBody(req, call.bodyLimitBytes);
      await verifySignedBody(runtime, verified, req, raw, {
        mutating: call.mutating,
        route: call.path,
      });
      const request = call.request.safeParse(parseJson(raw));
      if (!request.success) {
        const issue = request.error.issues[0];
        const at = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw new ValidationError(`The body does not match ${call.name}: ${at}${issue?.message}`);
      }
      const answer = await runWithContext(verified.context, () =>
        handle(request.data as z.output<C['request']>, verified.context, verified.caller),
      );
      sendJson(res, 200, answer);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      req.resume();
      sendGraphQLError(res, error, requestId);
    }
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('The body is not JSON');
  }
}
