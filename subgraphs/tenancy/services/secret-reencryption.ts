import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../platform/db/scope';
import type {
  AnySecretStore,
  SecretStore,
} from '../../../platform/subgraph/routes/reencrypt.route';
import {
  OAuthSecretRepository,
  type StaleOAuthSecret,
} from '../repositories/oauth-secret.repository';
import { secretAad } from './oauth-provider.service';

/**
 * The secrets tenancy stores under the key ring, for `POST /internal/reencrypt`: tenants' OAuth
 * client secrets (associated data `<tenant id>:<provider>`). Listed across tenants by the
 * owner's functions, each rewritten in its own tenant's transaction.
 */
export function tenancySecretStores(dataSource: DataSource): AnySecretStore[] {
  const oauthSecrets: SecretStore<StaleOAuthSecret> = {
    name: 'tenancy.oauth_providers',
    list: (activeKid, after, limit) =>
      new OAuthSecretRepository(dataSource.manager).listStale(activeKid, after, limit),
    countStale: (activeKid) => new OAuthSecretRepository(dataSource.manager).countStale(activeKid),
    rewrite: ({ id, tenantId }, keyRing) =>
      tenantScope(dataSource, tenantId).run(async (manager) => {
        const repository = new OAuthSecretRepository(manager);
        const found = await repository.lockEnvelope(id);
        if (!found) return 0;
        if (!keyRing.needsReencryption(found.envelope)) return 0;
        const aad = secretAad(tenantId, found.provider);
        await repository.replaceEnvelope(id, keyRing.reencrypt(found.envelope, aad));
        return 1;
      }),
  };
  return [oauthSecrets];
}
