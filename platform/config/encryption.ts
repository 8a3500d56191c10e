import { z } from 'zod';
import { KEY_BYTES, KID_PATTERN, type EncryptionKey } from '../crypto/key-ring';
import { Redacted } from '../crypto/redacted';
import { exactBase64 } from './fields';
import type { ConfigRule } from './load';

/**
 * The key a local run encrypts with when none is configured. It is public (it is right
 * here), so production refuses it: see {@link refuseDevelopmentEncryptionKeyInProduction}.
 */
export const DEVELOPMENT_ENCRYPTION_KEYS = 'dev:dGVzc2VyYS1kZXZlbG9wbWVudC1lbmNyeXB0aW9uISE=';
const DEVELOPMENT_KEY_BYTES = Buffer.from('dGVzc2VyYS1kZXZlbG9wbWVudC1lbmNyeXB0aW9uISE=', 'base64');

/**
 * Parses `kid:base64key,kid:base64key`. Every bad entry is reported, by position: an entry
 * that does not parse may be a key pasted without its kid, so nothing of it is echoed.
 */
function parseKeys(value: string, ctx: z.RefinementCtx<string>): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) ctx.addIssue('needs at least one kid:base64key entry');
  const keys: EncryptionKey[] = [];
  entries.forEach((entry, index) => {
    const at = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      ctx.addIssue(`${at} must be kid:base64key`);
      return;
    }
    const kid = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KID_PATTERN.test(kid)) {
      ctx.addIssue(`${at}: the key id must be 1-16 lowercase letters, digits or -`);
      return;
    }
    const key = exactBase64(encoded, KEY_BYTES);
    if (!key) {
      ctx.addIssue(
        `${at} (kid ${kid}): the key must be base64 of exactly ${KEY_BYTES} bytes (openssl rand -base64 32)`,
      );
      return;
    }
    if (keys.some((other) => other.kid === kid)) {
      ctx.addIssue(`${at}: key id ${kid} appears twice`);
      return;
    }
    keys.push({ kid, key: new Redacted(key) });
  });
  return keys;
}

export const encryption = {
  ENCRYPTION_KEYS: z
    .string()
    .default(DEVELOPMENT_ENCRYPTION_KEYS)
    .meta({ documentedDefault: 'a development key (refused in production)' })
    .transform(parseKeys)
    .describe(
      'Comma-separated `kid:base64key` (32-byte AES-256 keys). The first encrypts, all decrypt, so a key rotates by prepending a new one and dropping the old after re-encryption.',
    ),
};

/** The development key must never protect production data, not even as a decrypt-only key. */
export const refuseDevelopmentEncryptionKeyInProduction: ConfigRule<{
  NODE_ENV: string;
  ENCRYPTION_KEYS: readonly EncryptionKey[];
}> = (config) =>
  config.NODE_ENV === 'production' &&
  config.ENCRYPTION_KEYS.some(({ key }) => key.reveal().equals(DEVELOPMENT_KEY_BYTES))
    ? [
        {
          variable: 'ENCRYPTION_KEYS',
          message: 'the development key is refused when NODE_ENV=production',
        },
      ]
    : [];
