import { randomBytes } from 'node:crypto';

/** `tsk_<prefix>_<secret>`: the prefix finds the key, the secret proves it. */
const API_KEY = /^tsk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedApiKey {
  prefix: string;
  secret: string;
}

export function parseApiKey(value: string): ParsedApiKey | null {
  const match = API_KEY.exec(value);
  return match ? { prefix: match[1]!, secret: match[2]! } : null;
}

/** A new key: 12 random prefix characters to look it up by, 32 random bytes of secret. */
export function generateApiKey(): { prefix: string; secret: string; key: string } {
  const bytes = randomBytes(12);
  const prefix = Array.from(bytes, (byte) => PREFIX_ALPHABET[byte % 36]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secret, key: `tsk_${prefix}_${secret}` };
}

/** Scopes an API key may carry; each narrows what the key's requests may do. */
export const API_KEY_SCOPES = [
  'assets:read',
  'assets:write',
  'webhooks:manage',
  'events:read',
  'jobs:manage',
  'alerts:manage',
  'audit:read',
  'members:read',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
