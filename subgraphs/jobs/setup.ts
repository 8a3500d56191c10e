import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import type { JobsConfig } from './config';
import type { JobsServices } from './context';
import { setupWebhookApi } from './webhooks/webhook-api.setup';

/** Builds what the jobs process shares across requests. */
export async function setupJobs(
  runtime: SubgraphRuntime<JobsConfig>,
): Promise<SubgraphServices<JobsServices>> {
  const webhooks = setupWebhookApi(runtime);
  return {
    services: { webhooks: webhooks.services },
    close: async () => {
      await webhooks.close();
    },
  };
}
