import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import type { TestStack } from '../stack';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../webhook-receiver';
import { createTenant, serviceEnv, startChaosStack, type ChaosTenant } from './fixtures';
import { stopStragglers } from './stragglers';
import { createVerifiedEndpoint } from './webhook-endpoint';

export const TENANT_UPDATED = 'tenancy.tenant.updated';

/** A chaos stack with two gateways, a tenant and a verified webhook endpoint of its own. */
export interface DeliveryChaos {
  stack: TestStack;
  tenant: ChaosTenant;
  gateway2: ServiceProcess;
  receiver: WebhookReceiver;
  endpoint: { deliveries: () => ReceivedWebhook[] };
  stop(): Promise<void>;
}

/**
 * What the delivery scenarios start from: fast webhook retries and lock expiry (a dead worker's
 * jobs come back within seconds), loopback receivers allowed, and an endpoint for
 * `tenancy.tenant.updated` at `path` whose deliveries are held `delayMs` (so some are always
 * in flight). `env` adds to or overrides the stack's settings.
 */
export async function startDeliveryChaos(options: {
  path: string;
  delayMs: number;
  env?: Record<string, string>;
}): Promise<DeliveryChaos> {
  const started: Partial<DeliveryChaos> = {};
  const stop = async () => {
    await stopStragglers();
    await started.gateway2?.stop();
    await started.stack?.stop();
    await started.receiver?.close();
  };
  try {
    started.receiver = await startWebhookReceiver();
    started.stack = await startChaosStack({
      env: {
        OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
        WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s,5s',
        // A dead worker's jobs go back to the queue after this long without a lock renewal.
        WEBHOOK_JOB_LOCK_MS: '2000',
        ...options.env,
      },
    });
    started.gateway2 = await spawnService('gateway', {
      env: serviceEnv(started.stack, 'gateway'),
    });
    started.tenant = await createTenant(started.stack);
    started.endpoint = await createVerifiedEndpoint(
      started.stack.gatewayUrl,
      started.tenant,
      started.receiver,
      { path: options.path, eventTypes: [TENANT_UPDATED], delayMs: options.delayMs },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...(started as Omit<DeliveryChaos, 'stop'>), stop };
}
