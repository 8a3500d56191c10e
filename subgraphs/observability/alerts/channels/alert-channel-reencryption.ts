import type { DataSource } from 'typeorm';
import { scopeOf } from '../../../../platform/db/scope';
import type {
  AnySecretStore,
  SecretStore,
} from '../../../../platform/subgraph/routes/reencrypt.route';
import {
  AlertChannelSecretRepository,
  type StaleAlertChannel,
} from '../repositories/alert-channel-secret.repository';

/**
 * The secrets observability stores under the key ring, for `POST /internal/reencrypt`: each
 * Slack or PagerDuty alert channel's (associated data: the channel's id).
 */
export function observabilitySecretStores(dataSource: DataSource): AnySecretStore[] {
  const channels: SecretStore<StaleAlertChannel> = {
    name: 'observability.alert_channels',
    list: (activeKid, after, limit) =>
      new AlertChannelSecretRepository(dataSource.manager).listStale(activeKid, after, limit),
    countStale: (activeKid) =>
      new AlertChannelSecretRepository(dataSource.manager).countStale(activeKid),
    rewrite: ({ id, tenantId }, keyRing) =>
      scopeOf(dataSource, tenantId).run(async (manager) => {
        const repository = new AlertChannelSecretRepository(manager);
        const envelope = await repository.lockEnvelope(id);
        if (envelope === null || !keyRing.needsReencryption(envelope)) return 0;
        await repository.replaceEnvelope(id, keyRing.reencrypt(envelope, id));
        return 1;
      }),
  };
  return [channels];
}
