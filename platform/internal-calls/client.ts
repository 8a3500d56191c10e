import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { anonymousContext, currentContext, type RequestContext } from '../context/request-context';
import { type RequestSigner } from '../context/signed-request';
import { type ServiceName } from '../context/service-keys';
import { ServiceUnavailableError } from '../errors/domain-errors';
import { readWholeAnswer, type WholeAnswer } from '../http/whole-answer';
import { traceCarrier } from '../observability/tracing';
import type { TargetGuard } from '../resilience/target-guard';
import type { CallAnswer, CallRequest, InternalCall } from './contract';

/**
 * An internal call that got no good answer: the service was unreachable, too slow, refused
 * (any non-2xx), or answered something its contract does not allow. Coded
 * `SERVICE_UNAVAILABLE` with `retryAfter` for GraphQL callers; `status` and `code` say what
 * the service answered, when it answered.
 */
export class InternalCallError extends ServiceUnavailableError {
  constructor(
    readonly service: ServiceName,
    call: string,
    readonly reason: string,
    readonly answered?: { status: number; code?: string },
  ) {
    super(`${service} could not answer ${call}: ${reason}; retry shortly`);
  }
}

export interface CallOptions {
  /** Which service to ask; needed only when the call has several (e.g. the tenant purge). */
  to?: ServiceName;
  /** The request context to send; by default an anonymous one (a service asking for itself). */
  context?: RequestContext;
  /** The request id to send without a context; by default the current request's, or a new one. */
  requestId?: string;
  /** Overrides the contract's timeout (e.g. from the caller's config). */
  timeoutMs?: number;
}

export interface InternalClientOptions {
  /** Signs as this process. */
  signer: RequestSigner;
  /** Where each service this process calls serves its internal routes (any path ignored). */
  urls: Partial<Record<ServiceName, string>>;
  logger: Logger;
  /**
   * A circuit breaker and bulkhead per service called: calls to a service that keeps failing
   * are refused at once (`SERVICE_UNAVAILABLE`, `retryAfter`) instead of each waiting out its
   * timeout.
   */
  guards?: Partial<Record<ServiceName, TargetGuard>>;
}

/**
 * The one client of every internal call: it signs the request as this process (bound to the
 * call's path, the target service and the body), forwards `traceparent`, enforces the timeout
 * and checks the answer against the contract. Every failure is an {@link InternalCallError},
 * or, when the service's guard refuses the call without making it, a `TargetUnavailableError`
 * (both `SERVICE_UNAVAILABLE`).
 *
 * Calls go over keep-alive connections of its own (an undici Agent, one pool per service),
 * the same HTTP client the gateway sends subgraph requests with.
 */
export class InternalClient {
  private readonly agent = new Agent();
  /** Each service's origin: calls go to `call.path` there, the path they are signed for. */
  private readonly origins: Partial<Record<ServiceName, string>>;

  constructor(private readonly options: InternalClientOptions) {
    this.origins = Object.fromEntries(
      Object.entries(options.urls).map(([service, url]) => [service, new URL(url).origin]),
    );
  }

  /**
   * Closes its connections, at shutdown: what needed an answer has had it by then (the drain
   * is over), so a call still waiting (say, of a job handed back to its queue) fails now
   * rather than holding the process until its own timeout.
   */
  close(): Promise<void> {
    return this.agent.destroy();
  }

  async call<C extends InternalCall>(
    call: C,
    request: CallRequest<C>,
    options: CallOptions = {},
  ): Promise<CallAnswer<C>> {
    const service = this.target(call, options.to);
    const origin = this.origins[service];
    if (!origin) throw new Error(`no URL for ${service}, which serves ${call.name}`);
    // The request is this process's own making: a mismatch is a bug here, not the server's.
    const body = JSON.stringify(call.request.parse(request));
    const requestId =
      options.context?.requestId ??
      options.requestId ??
      currentContext()?.requestId ??
      randomUUID();
    const context = options.context ?? anonymousContext(requestId);
    const timeoutMs = options.timeoutMs ?? call.timeoutMs;
    const send = () => this.send(call, service, origin, { body, requestId, context, timeoutMs });
    const guard = this.options.guards?.[service];
    return guard ? guard.run(send, countsAgainstService) : send();
  }

  private async send<C extends InternalCall>(
    call: C,
    service: ServiceName,
    origin: string,
    {
      body,
      requestId,
      context,
      timeoutMs,
    }: { body: string; requestId: string; context: RequestContext; timeoutMs: number },
  ): Promise<CallAnswer<C>> {
    const fail = (
      reason: string,
      answered?: { status: number; code?: string },
      cause?: unknown,
    ) => {
      this.options.logger.warn(
        { err: cause, call: call.name, service, reason, ...answered },
        'internal call failed',
      );
      return new InternalCallError(service, call.name, reason, answered);
    };

    let answered: WholeAnswer;
    try {
      answered = await readWholeAnswer(
        this.agent,
        {
          origin,
          path: call.path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': requestId,
            ...this.options.signer.sign(
              { audience: service, method: 'POST', path: call.path, body },
              context,
            ),
            ...traceCarrier(),
          },
          body,
        },
        // Covers waiting for a connection, the answer and reading its body.
        AbortSignal.timeout(timeoutMs),
      );
    } catch (error) {
      throw fail(
        isTimeout(error) ? `no answer within ${timeoutMs} ms` : 'unreachable',
        undefined,
        error,
      );
    }
    const { status } = answered;
    const answer = parseJson(answered.text);
    if (status < 200 || status > 299) {
      const code = codeOf(answer);
      throw fail(`HTTP ${status}${code ? ` ${code}` : ''}`, { status, code });
    }
    const parsed = call.answer.safeParse(answer);
    if (!parsed.success) throw fail('a malformed answer', { status });
    return parsed.data as CallAnswer<C>;
  }

  private target(call: InternalCall, to: ServiceName | undefined): ServiceName {
    const service = to ?? (call.servedBy.length === 1 ? call.servedBy[0] : undefined);
    if (!service || !call.servedBy.includes(service)) {
      throw new Error(`${call.name} is served by ${call.servedBy.join(', ')}: name one`);
    }
    if (!call.callers.includes(this.options.signer.service)) {
      throw new Error(`${this.options.signer.service} may not call ${call.name}`);
    }
    return service;
  }
}

/**
 * What says the service is in trouble, as opposed to refusing this one request (a 4xx): no
 * answer in time, no connection, a 5xx, or an answer its contract does not allow.
 */
function countsAgainstService(error: unknown): boolean {
  if (!(error instanceof InternalCallError)) return true;
  return (
    error.answered === undefined || error.answered.status >= 500 || error.answered.status < 400
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The code of a coded error answer (`{ errors: [{ extensions: { code } }] }`), if any. */
function codeOf(answer: unknown): string | undefined {
  const code = (answer as { errors?: { extensions?: { code?: unknown } }[] } | undefined)
    ?.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTimeout(error: unknown): boolean {
  // A DOMException, which is not an `Error` in every realm: compare the name only.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
