import { Queue } from 'bullmq';
import { outboundPolicyFromConfig } from '../../../platform/config';
import { KeyRing } from '../../../platform/crypto';
import type { SubgraphConfig, SubgraphRuntime } from '../../../platform/graphql';
import { queuePrefix } from '../../../platform/redis';
import { WEBHOOK_DELIVERY_QUEUE } from './delivery-job';
import type { WebhookApiConfig } from './webhook-config';
import type { WebhookServices } from './webhook-services';

/** The key ring, SSRF policy and delivery queue the jobs subgraph's webhook services use. */
export function setupWebhookApi(runtime: SubgraphRuntime<SubgraphConfig & WebhookApiConfig>): {
  services: WebhookServices;
  close: () => Promise<void>;
} {
  const { config, logger, redis } = runtime;
  // Adding jobs needs no blocking connection: the process's Redis client serves (and stays
  // open when the queue closes).
  const queue = new Queue(WEBHOOK_DELIVERY_QUEUE, {
    connection: redis,
    prefix: queuePrefix(config.REDIS_PREFIX),
  });
  queue.on('error', (error) => logger.warn({ err: error }, 'webhook delivery queue error'));
  return {
    services: {
      keyRing: KeyRing.fromConfig(config.ENCRYPTION_KEYS),
      policy: { ...outboundPolicyFromConfig(config), timeoutMs: config.WEBHOOK_TIMEOUT_MS },
      allowHttp: config.NODE_ENV !== 'production',
      maxEndpointsPerTenant: config.WEBHOOK_MAX_ENDPOINTS_PER_TENANT,
      queue,
    },
    close: () => queue.close(),
  };
}
