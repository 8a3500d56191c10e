import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ValidationError } from '../../../platform/errors/domain-errors';

export interface BodyCheck {
  /** Exactly this many bytes must arrive. */
  sizeBytes: number;
  /** Hex SHA-256 the bytes must have, when the client declared one. */
  sha256: string | null;
}

/**
 * Streams a request body through a running SHA-256 and a byte count, one chunk at a time. The
 * last chunk is held back until the body has ended and checked out: size exact, checksum
 * right. So a store downstream never sees a complete body that is wrong, and the whole body
 * is never in memory. Errors are coded: PAYLOAD_TOO_LARGE past the declared size (raised at
 * the first byte too many), BAD_USER_INPUT for a short body or a checksum mismatch.
 *
 * The request is read without being destroyed on error, so the caller can still answer.
 */
export async function* verifiedBody(
  req: IncomingMessage,
  check: BodyCheck,
  result: { sha256?: string } = {},
): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let received = 0;
  let held: Buffer | null = null;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > check.sizeBytes) throw new PayloadTooLargeError(check.sizeBytes);
    hash.update(chunk);
    if (held) yield held;
    held = chunk;
  }
  if (received < check.sizeBytes) {
    throw new ValidationError(
      `The body ended after ${received} of the ${check.sizeBytes} bytes declared`,
      { receivedBytes: received, sizeBytes: check.sizeBytes },
    );
  }
  const sha256 = hash.digest('hex');
  if (check.sha256 !== null && sha256 !== check.sha256) {
    throw new ValidationError('The body does not match the declared SHA-256 checksum', {
      field: 'checksumSha256',
    });
  }
  result.sha256 = sha256;
  if (held) yield held;
}
