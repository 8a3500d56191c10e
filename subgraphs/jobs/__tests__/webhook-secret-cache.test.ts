import { randomUUID } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { DecryptionError, KeyRing } from '../../../platform/crypto/key-ring';
import { generateWebhookSecret } from '../webhooks/signature';
import { liveSecrets } from '../webhooks/webhook-message';
import { createSecretCache } from '../worker/webhooks/secret-cache';

// The worker's cache of decrypted signing secrets: one decryption per envelope, and a rotation
// (a new envelope) is never answered with the old secret.

const ring = KeyRing.fromConfig(
  parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
);

function endpointWith(secret: string, id = randomUUID()) {
  return {
    id,
    secretCiphertext: ring.encrypt(secret, id),
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
  };
}

describe('webhook secret cache', () => {
  it('decrypts an envelope once however many deliveries sign with it', () => {
    const decrypt = jest.spyOn(ring, 'decrypt');
    const cache = createSecretCache(ring);
    const secret = generateWebhookSecret();
    const endpoint = endpointWith(secret);

    for (let n = 0; n < 5; n++) expect(liveSecrets(cache, endpoint)).toEqual([secret]);
    expect(decrypt).toHaveBeenCalledTimes(1);
    decrypt.mockRestore();
  });

  it('signs with the new secret at once after a rotation, and the old one in its grace period', () => {
    const cache = createSecretCache(ring);
    const [old, rotated] = [generateWebhookSecret(), generateWebhookSecret()];
    const before = endpointWith(old);
    expect(liveSecrets(cache, before)).toEqual([old]);

    const after = {
      ...endpointWith(rotated, before.id),
      previousSecretCiphertext: before.secretCiphertext,
      previousSecretExpiresAt: new Date(Date.now() + 60_000),
    };
    expect(liveSecrets(cache, after)).toEqual([rotated, old]);
  });

  it('does not open an envelope copied onto another endpoint, even once cached', () => {
    const cache = createSecretCache(ring);
    const endpoint = endpointWith(generateWebhookSecret());
    liveSecrets(cache, endpoint);

    expect(() => liveSecrets(cache, { ...endpoint, id: randomUUID() })).toThrow(DecryptionError);
  });

  it('refuses a tampered envelope every time rather than caching the failure', () => {
    const cache = createSecretCache(ring);
    const endpoint = endpointWith(generateWebhookSecret());
    const tampered = {
      ...endpoint,
      secretCiphertext: `${endpoint.secretCiphertext.slice(0, -4)}AAAA`,
    };

    expect(() => liveSecrets(cache, tampered)).toThrow(DecryptionError);
    expect(() => liveSecrets(cache, tampered)).toThrow(DecryptionError);
  });

  it('forgets the least recently used secrets beyond its size', () => {
    const decrypt = jest.spyOn(ring, 'decrypt');
    const cache = createSecretCache(ring, 2);
    const [a, b, c] = [1, 2, 3].map(() => endpointWith(generateWebhookSecret()));
    for (const endpoint of [a, b, a, c]) liveSecrets(cache, endpoint!);
    decrypt.mockClear();

    liveSecrets(cache, a!);
    expect(decrypt).not.toHaveBeenCalled();
    liveSecrets(cache, b!);
    expect(decrypt).toHaveBeenCalledTimes(1);
    decrypt.mockRestore();
  });
});
