import { REENCRYPT_PATH } from '../../platform/crypto';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import { reencryptRoute } from '../../platform/graphql/reencrypt-route';
import type { JobsConfig } from './config';
import type { JobsServices } from './context';
import { jobsSecretStores } from './services/webhook-secret-reencryption';
import { setupJobAdmin } from './admin/job-admin.setup';
import { setupWebhookApi } from './webhooks/webhook-api.setup';

/** Builds what the jobs process shares across requests. */
export async function setupJobs(
  runtime: SubgraphRuntime<JobsConfig>,
): Promise<SubgraphServices<JobsServices>> {
  const webhooks = setupWebhookApi(runtime);
  const jobAdmin = setupJobAdmin(runtime);
  return {
    services: { webhooks: webhooks.services, jobAdmin: jobAdmin.services },
    routes: {
      [REENCRYPT_PATH]: reencryptRoute(
        runtime,
        webhooks.services.keyRing,
        jobsSecretStores(runtime.dataSource),
      ),
    },
    close: async () => {
      await webhooks.close();
      await jobAdmin.close();
    },
  };
}
