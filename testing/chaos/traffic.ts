import { request as httpRequest } from 'node:http';
import { eventually } from '../eventually';
import { register } from './stragglers';

/**
 * Load that keeps going while a fault is injected, classifying every answer: ok, a coded
 * GraphQL error (its `extensions.code`), an answer without a code, or no answer at all
 * (refused, reset, timed out). It keeps the evidence the chaos suite asserts on: which codes
 * were seen, 5xx answers without a request id, and when the last failure happened.
 */

export interface TrafficRequest {
  query: string;
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Changes the row it writes (a journal event follows), for the written-events count. */
  writes?: boolean;
}

export interface Outcome {
  at: number;
  latencyMs: number;
  /** `OK`, a GraphQL error code, `UNCODED_<status>`, or `NETWORK_<reason>`. */
  code: string;
  status: number | null;
  requestId: string | null;
}

export interface TrafficStats {
  total: number;
  ok: number;
  /** Answers by code (`OK` included). */
  codes: Record<string, number>;
  /** 5xx answers with neither an `x-request-id` header nor `extensions.requestId`. */
  serverErrorsWithoutRequestId: Outcome[];
  /** Answers that were neither a success nor a coded error: no code, or no answer at all. */
  uncoded: Outcome[];
  /** Writes that succeeded (each appended one event). */
  writesOk: number;
  lastFailureAt: number | null;
  firstFailureAt: number | null;
  slowestFailureMs: number;
  outcomes: Outcome[];
}

export interface Traffic {
  readonly stats: TrafficStats;
  /** Resolves once every worker finished its request in flight. */
  stop(): Promise<TrafficStats>;
  /** Outcomes since `since` (ms epoch). */
  since(since: number): Outcome[];
  /**
   * Resolves once `count` more requests have been answered (any outcome): a phase of the
   * scenario measured in requests, not in time, so a slow machine gets the same sample.
   */
  answered(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the last `count` answers, all given after `after` (ms epoch), were OK. */
  recovered(count: number, after: number, timeoutMs?: number): Promise<void>;
}

export interface TrafficOptions {
  /** Where each request goes (read at every request, so a test can move clients). */
  url: string | (() => string);
  concurrency: number;
  /** Picks the next request; `n` counts requests of this worker. */
  next: (n: number, worker: number) => TrafficRequest;
  /** A request without an answer in this long counts as `NETWORK_TIMEOUT` (a hang). */
  timeoutMs?: number;
  /** Pause between two requests of one worker. */
  pauseMs?: number;
}

export function startTraffic(options: TrafficOptions): Traffic {
  const stats = emptyStats();
  let running = true;
  const waiters: { total: number; resolve(): void }[] = [];

  const record = (outcome: Outcome, request: TrafficRequest) => {
    stats.total += 1;
    for (const waiter of waiters.filter((each) => stats.total >= each.total)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    tally(stats, outcome, request);
  };

  const worker = async (index: number) => {
    for (let n = 0; running; n += 1) {
      const request = options.next(n, index);
      const url = typeof options.url === 'function' ? options.url() : options.url;
      record(await send(url, request, options.timeoutMs ?? 15_000), request);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, index) => worker(index));

  return register({
    stats,
    async stop() {
      running = false;
      await Promise.all(workers);
      return stats;
    },
    since: (since) => stats.outcomes.filter((outcome) => outcome.at >= since),
    answered(count, timeoutMs = 120_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`traffic: ${count} answers not seen within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          total: stats.total + count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(waiter);
      });
    },
    async recovered(count, after, timeoutMs = 60_000) {
      await eventually(() => {
        const tail = stats.outcomes.slice(-count);
        return (
          tail.length === count &&
          tail[0]!.at > after &&
          tail.every((outcome) => outcome.code === 'OK')
        );
      }, timeoutMs);
    },
  });
}

function emptyStats(): TrafficStats {
  return {
    total: 0,
    ok: 0,
    codes: {},
    serverErrorsWithoutRequestId: [],
    uncoded: [],
    writesOk: 0,
    lastFailureAt: null,
    firstFailureAt: null,
    slowestFailureMs: 0,
    outcomes: [],
  };
}

/** Counts one answer in the stats: by code, and the failures the checks look at. */
function tally(stats: TrafficStats, outcome: Outcome, request: TrafficRequest): void {
  stats.codes[outcome.code] = (stats.codes[outcome.code] ?? 0) + 1;
  stats.outcomes.push(outcome);
  if (outcome.code === 'OK') {
    stats.ok += 1;
    if (request.writes) stats.writesOk += 1;
    return;
  }
  stats.firstFailureAt ??= outcome.at;
  stats.lastFailureAt = outcome.at;
  stats.slowestFailureMs = Math.max(stats.slowestFailureMs, outcome.latencyMs);
  if (outcome.code.startsWith('UNCODED_') || outcome.code.startsWith('NETWORK_')) {
    stats.uncoded.push(outcome);
  }
  if (outcome.status !== null && outcome.status >= 500 && !outcome.requestId) {
    stats.serverErrorsWithoutRequestId.push(outcome);
  }
}

/** One request, classified; never throws. */
export async function send(
  url: string,
  request: TrafficRequest,
  timeoutMs = 15_000,
): Promise<Outcome> {
  const started = Date.now();
  const done = (code: string, status: number | null, requestId: string | null): Outcome => ({
    at: Date.now(),
    latencyMs: Date.now() - started,
    code,
    status,
    requestId,
  });
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify({ query: request.query, variables: request.variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return done(`NETWORK_${networkReason(error)}`, null, null);
  }
  return classify(response.status, response.headers, text, started);
}

/** Sorts an HTTP answer into {@link Outcome} (shared by the fuzzer, which sends raw bodies). */
export function classify(status: number, headers: Headers, text: string, started: number): Outcome {
  let body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const firstError = body?.errors?.[0];
  const code = firstError?.extensions?.code;
  const requestId =
    headers.get('x-request-id') ??
    (typeof firstError?.extensions?.requestId === 'string'
      ? firstError.extensions.requestId
      : null);
  const outcome = (value: string): Outcome => ({
    at: Date.now(),
    latencyMs: Date.now() - started,
    code: value,
    status,
    requestId,
  });
  if (status === 200 && body && !body.errors) return outcome('OK');
  if (typeof code === 'string') return outcome(code);
  return outcome(`UNCODED_${status}`);
}

function networkReason(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'TIMEOUT';
  return err.cause?.code ?? err.name ?? 'ERROR';
}

export interface HeldRequest {
  /** Resolves once the server read the headers (it answered `100 Continue`): in flight. */
  accepted: Promise<void>;
  /** Sends the body and resolves with the classified answer. */
  complete(): Promise<Outcome>;
}

/**
 * A POST whose headers go first with `Expect: 100-continue` and whose body waits for
 * {@link HeldRequest.complete}: a request the server has provably started handling (its
 * body still arriving), for showing what a drain does with requests in flight.
 */
export function holdRequest(url: string, request: TrafficRequest): HeldRequest {
  const body = JSON.stringify({ query: request.query, variables: request.variables });
  const started = Date.now();
  let onAccepted: () => void = () => undefined;
  const accepted = new Promise<void>((resolve) => (onAccepted = resolve));
  let sendBody: () => void = () => undefined;
  const answer = new Promise<Outcome>((resolve) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          expect: '100-continue',
          ...request.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve(classify(res.statusCode!, headers, Buffer.concat(chunks).toString(), started));
        });
      },
    );
    req.on('continue', onAccepted);
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        at: Date.now(),
        latencyMs: Date.now() - started,
        code: `NETWORK_${error.code ?? 'ERROR'}`,
        status: null,
        requestId: null,
      }),
    );
    req.flushHeaders();
    sendBody = () => req.end(body);
  });
  return {
    accepted,
    complete: () => {
      sendBody();
      return answer;
    },
  };
}
