import type { Queue } from 'bullmq';
import { outboundPolicyFromConfig } from '../../../platform/config/outbound';
import { KeyRing } from '../../../platform/crypto/key-ring';
import type { SubgraphConfig, SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import type { WebhookApiConfig } from './webhook-config';
import type { WebhookServices } from './webhook-services';

/** The key ring, SSRF policy and delivery queue the jobs subgraph's webhook services use. */
export function setupWebhookApi(
  runtime: SubgraphRuntime<SubgraphConfig & WebhookApiConfig>,
  queue: Queue,
): { services: WebhookServices } {
  const { config } = runtime;
  return {
    services: {
      keyRing: KeyRing.fromConfig(config.ENCRYPTION_KEYS),
      policy: { ...outboundPolicyFromConfig(config), timeoutMs: config.WEBHOOK_TIMEOUT_MS },
      allowHttp: config.NODE_ENV !== 'production',
      maxEndpointsPerTenant: config.WEBHOOK_MAX_ENDPOINTS_PER_TENANT,
      queue,
    },
  };
}
