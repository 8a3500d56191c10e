import { platformScope } from '../../../platform/db/scope';
import type { DataSource } from 'typeorm';
import type {
  AnySecretStore,
  SecretStore,
} from '../../../platform/subgraph/routes/reencrypt.route';
import { SigningKeySecretRepository } from '../repositories/signing-key-secret.repository';

/**
 * The secrets auth stores under the key ring, for `POST /internal/reencrypt`: the access-token
 * signing keys' private halves (associated data: the key's kid).
 */
export function authSecretStores(dataSource: DataSource): AnySecretStore[] {
  const signingKeys: SecretStore = {
    name: 'auth.signing_keys',
    list: async (activeKid, after, limit) =>
      (
        await new SigningKeySecretRepository(dataSource.manager).listStale(activeKid, after, limit)
      ).map((kid) => ({ id: kid })),
    countStale: (activeKid) =>
      new SigningKeySecretRepository(dataSource.manager).countStale(activeKid),
    rewrite: ({ id: kid }, keyRing) =>
      platformScope(dataSource).run(async (manager) => {
        const repository = new SigningKeySecretRepository(manager);
        const envelope = await repository.lockEnvelope(kid);
        if (envelope === null) return 0;
        if (!keyRing.needsReencryption(envelope)) return 0;
        await repository.replaceEnvelope(kid, keyRing.reencrypt(envelope, kid));
        return 1;
      }),
  };
  return [signingKeys];
}
