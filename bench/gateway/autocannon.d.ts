// The part of autocannon's programmatic API the gateway bench uses (it ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Requests in turn; `setupRequest` may change each one (e.g. its body) before it is sent. */
    requests?: { setupRequest?: (request: RequestData) => RequestData }[];
    connections?: number;
    /** Seconds. */
    duration?: number;
    timeout?: number;
    /** A false answer counts the response as a mismatch. */
    verifyBody?: (body: string) => boolean;
  }

  interface RequestData {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  interface Result {
    start: Date;
    finish: Date;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    on(
      event: 'response',
      listener: (
        client: unknown,
        statusCode: number,
        bytes: number,
        responseTimeMs: number,
      ) => void,
    ): this;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
}
