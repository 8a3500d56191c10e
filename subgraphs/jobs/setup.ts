import { reencryptCall } from '../../platform/contracts/subgraphs/reencrypt';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import { reencryptRoute } from '../../platform/graphql/reencrypt-route';
import type { JobsConfig } from './config';
import type { JobsServices } from './context';
import { jobsSecretStores } from './services/webhook-secret-reencryption';
import { setupJobAdmin } from './admin/job-admin.setup';
import { setupWebhookApi } from './webhooks/webhook-api.setup';
import { WEBHOOK_DELIVERY_QUEUE } from './webhooks/delivery-job';

/** Builds what the jobs process shares across requests. */
export async function setupJobs(
  runtime: SubgraphRuntime<JobsConfig>,
): Promise<SubgraphServices<JobsServices>> {
  // One handle per queue for the whole process: the jobs admin's, shared with the rest.
  const jobAdmin = setupJobAdmin(runtime);
  const webhooks = setupWebhookApi(runtime, jobAdmin.services.queues.get(WEBHOOK_DELIVERY_QUEUE));
  return {
    services: { webhooks: webhooks.services, jobAdmin: jobAdmin.services },
    routes: {
      [reencryptCall.path]: reencryptRoute(
        runtime,
        webhooks.services.keyRing,
        jobsSecretStores(runtime.dataSource),
      ),
    },
    close: () => jobAdmin.close(),
  };
}
