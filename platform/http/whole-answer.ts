import type { Dispatcher } from 'undici';

/** An HTTP answer read whole: its status and its body as UTF-8 text. */
export interface WholeAnswer {
  status: number;
  text: string;
}

/**
 * Sends one request through an undici dispatcher (a Pool, an Agent) and reads its answer whole.
 * Dispatched with a handler of its own rather than through undici's `request()`: for a small
 * answer read whole, the stream and async resource `request()` builds around each response
 * would be pure overhead on a path that runs for every request.
 *
 * `signal` ends the wait at once with its reason, whatever stage the request is in (waiting
 * for a connection, for the answer, for the rest of its body); the request is then aborted as
 * soon as it holds a connection, so nothing of it lingers.
 */
export function readWholeAnswer(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal?: AbortSignal,
): Promise<WholeAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(reasonOf(signal));
      return;
    }
    let status = 0;
    const chunks: Buffer[] = [];
    let controller: Dispatcher.DispatchController | undefined;
    const onAbort = () => {
      const reason = reasonOf(signal!);
      reject(reason);
      controller?.abort(reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = () => signal?.removeEventListener('abort', onAbort);
    dispatcher.dispatch(options, {
      onRequestStart: (started) => {
        controller = started;
        if (signal?.aborted) started.abort(reasonOf(signal));
      },
      onResponseStart: (_controller, statusCode) => {
        status = statusCode;
      },
      onResponseData: (_controller, chunk) => {
        chunks.push(chunk);
      },
      onResponseEnd: () => {
        settled();
        resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError: (_controller, error) => {
        settled();
        reject(error);
      },
    });
  });
}

/**
 * Why `signal` aborted, as an Error. `AbortSignal.timeout` gives a DOMException, an Error of
 * another realm in some (a test's sandbox): its name, which tells a timeout, is kept.
 */
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const { name, message } = (reason ?? {}) as { name?: unknown; message?: unknown };
  const error = new Error(typeof message === 'string' ? message : String(reason));
  if (typeof name === 'string') error.name = name;
  return error;
}
