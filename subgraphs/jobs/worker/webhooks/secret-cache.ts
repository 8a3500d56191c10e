import type { KeyRing } from '../../../../platform/crypto/key-ring';

/** Decrypts endpoint secrets as the key ring does, remembering what it decrypted. */
export type SecretCache = Pick<KeyRing, 'decrypt'>;

/** Endpoints whose secrets stay decrypted at once; the least recently used go first. */
const MAX_CACHED_SECRETS = 10_000;

/**
 * Every delivery to an endpoint signs with the same secret: it is decrypted once, not once
 * per attempt. Entries are keyed by the envelope itself (and the endpoint id it is bound
 * to), so a rotation or a re-encryption under a new key writes a new envelope, which misses
 * the cache and is decrypted afresh: nothing needs invalidating, and a stale secret cannot
 * be used. An envelope that fails to decrypt is not cached (the error reaches the caller).
 */
export function createSecretCache(keyRing: KeyRing, maxEntries = MAX_CACHED_SECRETS): SecretCache {
  const cache = new Map<string, string>();
  return {
    decrypt(envelope: string, aad?: string): string {
      const key = `${aad ?? ''}\n${envelope}`;
      const found = cache.get(key);
      if (found !== undefined) {
        // Map order is insertion order: re-inserting keeps the most recently used last.
        cache.delete(key);
        cache.set(key, found);
        return found;
      }
      const secret = keyRing.decrypt(envelope, aad);
      cache.set(key, secret);
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      return secret;
    },
  };
}
