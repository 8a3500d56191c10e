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
 */
export function readWholeAnswer(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
): Promise<WholeAnswer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    dispatcher.dispatch(options, {
      onRequestStart: () => undefined,
      onResponseStart: (_controller, statusCode) => {
        status = statusCode;
      },
      onResponseData: (_controller, chunk) => {
        chunks.push(chunk);
      },
      onResponseEnd: () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }),
      onResponseError: (_controller, error) => reject(error),
    });
  });
}
