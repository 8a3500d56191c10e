import type { SubgraphRuntime, SubgraphServices } from '../../platform/subgraph/subgraph-service';
import type { JobsConfig } from './config';
import type { JobsServices } from './context';
import { jobsRoutes } from './routes/jobs.routes';
import { setupJobAdmin } from './admin/job-admin.setup';
import { setupWebhookApi } from './webhooks/webhook-api.setup';
import { WEBHOOK_DELIVERY_QUEUE } from './webhooks/delivery-job';

/** Builds what the jobs process shares across requests. */
export function setupJobs(runtime: SubgraphRuntime<JobsConfig>): SubgraphServices<JobsServices> {
  // One handle per queue for the whole process: the jobs admin's, shared with the rest.
  const jobAdmin = setupJobAdmin(runtime);
  const webhooks = setupWebhookApi(runtime, jobAdmin.services.queues.get(WEBHOOK_DELIVERY_QUEUE));
  return {
    services: { webhooks: webhooks.services, jobAdmin: jobAdmin.services },
    routes: jobsRoutes(runtime, webhooks.services.keyRing),
    close: () => jobAdmin.close(),
  };
}
