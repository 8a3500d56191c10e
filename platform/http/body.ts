import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ValidationError } from '../errors/domain-errors';

/**
 * How far past the limit a refused body is still read (and dropped) before the 413 goes out.
 * Answering mid-body and closing makes the kernel reset the connection under the bytes the
 * client has not sent yet, and most clients then report the reset (EPIPE, ECONNRESET) instead of
 * the answer. Past this bound the answer goes out at once: a body that large is not a mistake
 * worth reading.
 */
export const REFUSED_BODY_DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * Reads a request body up to `limitBytes`. A body over the limit (declared or streamed) is
 * refused with a 413 once it has been read to its end, up to `drainBytes` past the limit; none of
 * it is kept.
 */
export function readBody(
  req: IncomingMessage,
  limitBytes: number,
  drainBytes = REFUSED_BODY_DRAIN_BYTES,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes + drainBytes) {
    req.resume();
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  }
  // Read with events rather than `for await`: the async iterator costs a promise and more per
  // chunk on a path every request takes, for bodies that are almost always one chunk.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = Number.isFinite(declared) && declared > limitBytes;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limitBytes && !tooLarge) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (total > limitBytes + drainBytes) {
        settle(new PayloadTooLargeError(limitBytes));
        // The rest is dropped unread; the answer may not reach the client.
        req.resume();
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    };
    const onEnd = () => settle(tooLarge ? new PayloadTooLargeError(limitBytes) : undefined);
    const onError = (error: Error) => settle(error);
    const onClose = () => {
      if (!req.complete) settle(new BodyAbortedError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The client went away before its request body ended: nobody is left to answer. */
export class BodyAbortedError extends Error {
  readonly code = 'ECONNRESET';

  constructor() {
    super('aborted');
  }
}

/** Parses a JSON body; empty bodies become undefined so GET-style requests pass through. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType || !/^application\/(graphql-response\+)?json/i.test(contentType)) {
    return raw.toString('utf8');
  }
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
  // `"\ud800"` is valid JSON but no Unicode text: PostgreSQL refuses it (in jsonb, as an
  // event payload) deep inside a mutation, which then fails as an internal error.
  if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(body)) {
    throw new ValidationError('Request body has a string that is not Unicode (a lone surrogate)');
  }
  return body;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** Walks without recursion: a body may nest as deep as JSON.parse allows. */
function hasLoneSurrogate(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return true;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (LONE_SURROGATE.test(key)) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
