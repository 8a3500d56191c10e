import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ValidationError } from '../errors';

/**
 * Reads a request body up to `limitBytes`. A declared Content-Length over the limit is refused
 * before reading a byte; a chunked body is cut off as soon as it crosses the limit.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new PayloadTooLargeError(limitBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limitBytes) {
      req.resume();
      throw new PayloadTooLargeError(limitBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/** Parses a JSON body; empty bodies become undefined so GET-style requests pass through. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType || !/^application\/(graphql-response\+)?json/i.test(contentType)) {
    return raw.toString('utf8');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
}
