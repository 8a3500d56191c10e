import { STATUS_CODES } from 'node:http';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { Pool } from 'undici';
import { ErrorCode, isPublicErrorCode } from '../../platform/errors/codes';
import { readWholeAnswer } from '../../platform/http/whole-answer';
import { isPlainDataAnswer } from './pass-through';

export interface SubgraphPoolOptions {
  /** Keep-alive connections per subgraph. */
  connections: number;
  /** Requests in flight per connection (1: no HTTP pipelining). */
  pipelining: number;
  /** Longest wait for a subgraph's response headers, and then for its whole body. */
  timeoutMs: number;
  /** Largest subgraph response accepted; a larger one fails the fetch. */
  maxResponseBytes: number;
}

/** The parsed JSON answer of a subgraph. */
export interface SubgraphResult {
  data?: Record<string, unknown> | null;
  errors?: SubgraphError[];
  extensions?: Record<string, unknown>;
}

/**
 * A subgraph's answer that is data alone, kept as its text, unparsed. A class, so that no
 * parsed answer (whatever members a subgraph put in it) can pass for one.
 */
export class PlainDataAnswer {
  constructor(readonly text: string) {}
}

export interface SubgraphError {
  message?: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * Posts GraphQL requests to one subgraph over a pool of keep-alive connections (undici).
 * Bodies arrive already serialized, and the answer is parsed once: nothing is copied between
 * header or body representations on the way.
 */
export class SubgraphClient {
  private readonly pool: Pool;
  /** The path (and query) every request goes to, as signed. */
  readonly path: string;

  constructor(
    readonly name: string,
    readonly url: string,
    options: SubgraphPoolOptions,
  ) {
    const parsed = new URL(url);
    this.path = `${parsed.pathname}${parsed.search}`;
    this.pool = new Pool(parsed.origin, {
      connections: options.connections,
      pipelining: options.pipelining,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      maxResponseSize: options.maxResponseBytes,
    });
  }

  /** Sends one request and parses its answer (read whole: one small JSON document). */
  async post(body: string, headers: Record<string, string>): Promise<SubgraphResult> {
    const { status, text } = await this.send(body, headers);
    return this.parse(status, text);
  }

  /**
   * As {@link post}, but an answer that is data alone (200, no errors, no extensions) comes
   * back as its text, unparsed, for the gateway to hand on as it is.
   */
  async postForPassThrough(
    body: string,
    headers: Record<string, string>,
  ): Promise<SubgraphResult | PlainDataAnswer> {
    const { status, text } = await this.send(body, headers);
    return status === 200 && isPlainDataAnswer(text)
      ? new PlainDataAnswer(text)
      : this.parse(status, text);
  }

  private send(body: string, headers: Record<string, string>) {
    return readWholeAnswer(this.pool, {
      method: 'POST',
      path: this.path,
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
  }

  private parse(status: number, text: string): SubgraphResult {
    if (status < 200 || status > 299) throw errorFromStatus(status, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`subgraph ${this.name} answered with a body that is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`subgraph ${this.name} answered with JSON that is not an object`);
    }
    return parsed;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** A subgraph's answer with an HTTP error status: `status` tells a refusal (4xx) from a failure. */
export class SubgraphStatusError extends GraphQLError {
  constructor(
    readonly status: number,
    message: string,
    options: GraphQLErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Whether a fetch's error says the subgraph is in trouble (for its circuit breaker): no
 * connection, no answer in time, a 5xx, or an answer that is not GraphQL. A 4xx refuses only
 * this request, and an answer over the size limit is this request's own.
 */
export function countsAgainstSubgraph(error: unknown): boolean {
  if (error instanceof SubgraphStatusError) return error.status >= 500;
  return (error as { code?: unknown } | null)?.code !== 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
}

/**
 * A subgraph answers some client mistakes with an HTTP error status and a coded GraphQL error
 * (e.g. a variable that is not a valid DateTime: 400 BAD_USER_INPUT): keep that error. Any
 * other status is an error of its own, coded as HTTP clients know it (401, 403) or internal.
 */
function errorFromStatus(status: number, text: string): SubgraphStatusError {
  try {
    const body = JSON.parse(text) as {
      errors?: { message?: unknown; extensions?: { code?: unknown } }[];
    };
    const first = body.errors?.[0];
    const code = first?.extensions?.code;
    if (
      typeof first?.message === 'string' &&
      isPublicErrorCode(code) &&
      code !== ErrorCode.INTERNAL_SERVER_ERROR
    ) {
      return new SubgraphStatusError(status, first.message, { extensions: { code } });
    }
  } catch {
    // not a GraphQL error body: the generic error below
  }
  const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
  return new SubgraphStatusError(status, `${status}: ${STATUS_CODES[status] ?? 'Unknown status'}`, {
    extensions: code ? { code } : {},
  });
}
