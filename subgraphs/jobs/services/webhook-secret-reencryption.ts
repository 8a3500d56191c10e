import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../platform/db/scope';
import type {
  AnySecretStore,
  SecretStore,
} from '../../../platform/subgraph/routes/reencrypt.route';
import {
  WebhookSecretRepository,
  type StaleWebhookSecret,
} from '../repositories/webhook-secret.repository';

/**
 * The secrets jobs stores under the key ring, for `POST /internal/reencrypt`: each webhook
 * endpoint's signing secret and, during a rotation's grace period, the previous one (associated
 * data: the endpoint's id). Listed across tenants by the owner's functions, each endpoint
 * rewritten in its own tenant's transaction.
 */
export function jobsSecretStores(dataSource: DataSource): AnySecretStore[] {
  const webhookSecrets: SecretStore<StaleWebhookSecret> = {
    name: 'jobs.webhook_endpoints',
    list: (activeKid, after, limit) =>
      new WebhookSecretRepository(dataSource.manager).listStale(activeKid, after, limit),
    countStale: (activeKid) =>
      new WebhookSecretRepository(dataSource.manager).countStale(activeKid),
    rewrite: ({ id, tenantId }, keyRing) =>
      tenantScope(dataSource, tenantId).run(async (manager) => {
        const repository = new WebhookSecretRepository(manager);
        const found = await repository.lockEnvelopes(id);
        if (!found) return 0;
        const stale = (envelope: string | null) =>
          envelope !== null && keyRing.needsReencryption(envelope);
        if (!stale(found.current) && !stale(found.previous)) return 0;
        // Both decrypt before either is written: a secret that cannot leaves the row as it was.
        const current = stale(found.current) ? keyRing.reencrypt(found.current, id) : found.current;
        const previous =
          found.previous !== null && stale(found.previous)
            ? keyRing.reencrypt(found.previous, id)
            : found.previous;
        await repository.replaceEnvelopes(id, current, previous);
        return Number(current !== found.current) + Number(previous !== found.previous);
      }),
  };
  return [webhookSecrets];
}
