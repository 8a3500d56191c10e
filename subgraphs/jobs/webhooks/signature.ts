import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' secret prefix; what follows is base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/;

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the library's format). */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

export function isWebhookSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/**
 * `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}` with the secret's key bytes, as
 * the Standard Webhooks specification defines it (checked against the `standardwebhooks`
 * library in the tests).
 */
export function signaturePart(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${hmac(secret, `${id}.${timestamp}.${body}`)}`;
}

/**
 * What a receiver answers to the ownership challenge to show it holds the secret:
 * `v1,<base64 HMAC-SHA256 over the challenge's UTF-8 bytes>`, keyed like a signature with the
 * secret's bytes (the base64 after `whsec_`).
 */
export function challengeProof(secret: string, challenge: string): string {
  return `v1,${hmac(secret, challenge)}`;
}

function hmac(secret: string, message: string): string {
  if (!isWebhookSecret(secret)) throw new TypeError('not a whsec_ webhook secret');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three Standard Webhooks headers for one request. Every secret that is live signs (the
 * new one first, then one still in its rotation grace period), space-separated, so a receiver
 * verifies with whichever secret it has.
 */
export function signWebhook(message: {
  id: string;
  body: string;
  secrets: readonly string[];
  /** Unix seconds; now by default. */
  timestamp?: number;
}): SignedHeaders {
  if (message.secrets.length === 0) throw new RangeError('a webhook needs a secret to sign');
  const timestamp = message.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': message.secrets
      .map((secret) => signaturePart(secret, message.id, timestamp, message.body))
      .join(' '),
  };
}
