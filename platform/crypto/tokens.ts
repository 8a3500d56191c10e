import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Below 128 bits a token could be guessed or brute-forced from its stored hash. */
const MIN_TOKEN_BYTES = 16;

/** An unguessable token (refresh tokens, API keys, reset and invitation links), base64url. */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_TOKEN_BYTES) {
    throw new RangeError(`a token needs at least ${MIN_TOKEN_BYTES} random bytes`);
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * The form a token is stored in, so a database leak does not hand out live credentials.
 * A fast hash is right here, unlike for passwords: tokens from {@link randomToken} carry at
 * least 128 bits of entropy, so there is no dictionary to try and a slow hash (argon2id)
 * would only cost CPU on every authenticated request. Never use it for a password.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Compares two secrets (a presented token's hash against a stored one, a signature...) in
 * time that does not depend on where they first differ. Both sides are hashed first so the
 * buffers always have the same length: timingSafeEqual then never throws, and an early
 * return on a length mismatch cannot tell an attacker the secret's length.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}
