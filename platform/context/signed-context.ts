import { createHmac, timingSafeEqual } from 'node:crypto';
import { requestContextSchema, type RequestContext } from './request-context';

export const CONTEXT_HEADER = 'x-tessera-context';
export const SIGNATURE_HEADER = 'x-tessera-signature';

/** Why a subgraph refused the context; the reason is logged, the client sees only the code. */
export class ContextRejectedError extends Error {
  constructor(readonly reason: 'missing' | 'malformed' | 'bad-signature' | 'stale') {
    super(`service context rejected: ${reason}`);
    this.name = 'ContextRejectedError';
  }
}

function mac(secret: string, timestamp: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest();
}

/**
 * Signs the context for a subgraph call. The timestamp is inside the MAC, so a captured
 * header is useless after the max age, and the payload is base64url so header-unsafe
 * characters in a user agent cannot break it.
 */
export function signContext(
  context: RequestContext,
  secret: string,
  now: number = Date.now(),
): Record<string, string> {
  const payload = Buffer.from(JSON.stringify(context)).toString('base64url');
  const timestamp = String(Math.floor(now / 1000));
  const signature = mac(secret, timestamp, payload).toString('base64url');
  return {
    [CONTEXT_HEADER]: payload,
    [SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}`,
  };
}

/**
 * Verifies a signed context against every accepted secret (the first one signs; older ones
 * still verify during a rotation). Throws {@link ContextRejectedError}.
 */
export function verifyContext(
  headers: Record<string, string | string[] | undefined>,
  secrets: readonly string[],
  maxAgeSeconds: number,
  now: number = Date.now(),
): RequestContext {
  const payload = headers[CONTEXT_HEADER];
  const signatureHeader = headers[SIGNATURE_HEADER];
  if (payload === undefined || signatureHeader === undefined) {
    throw new ContextRejectedError('missing');
  }
  if (typeof payload !== 'string' || typeof signatureHeader !== 'string') {
    throw new ContextRejectedError('malformed');
  }
  const match = /^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/.exec(signatureHeader);
  if (!match || payload.length > 8192) throw new ContextRejectedError('malformed');
  const [, timestamp, signature] = match as unknown as [string, string, string];

  const given = Buffer.from(signature, 'base64url');
  const valid = secrets.some((secret) => {
    const expected = mac(secret, timestamp, payload);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) throw new ContextRejectedError('bad-signature');

  const ageSeconds = Math.abs(Math.floor(now / 1000) - Number(timestamp));
  if (ageSeconds > maxAgeSeconds) throw new ContextRejectedError('stale');

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new ContextRejectedError('malformed');
  }
  const parsed = requestContextSchema.safeParse(decoded);
  if (!parsed.success) throw new ContextRejectedError('malformed');
  return parsed.data;
}
