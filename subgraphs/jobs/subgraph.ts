import type { SubgraphDefinition } from '../../platform/subgraph/subgraph-service';
import { jobsConfigRules, jobsConfigShape } from './config';
import { createJobsContext, type JobsContext, type JobsServices } from './context';
import { WebhookAttemptEntity } from './entities/webhook-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { resolvers } from './resolvers/resolver-map';
import { jobsRetentionPurge } from './retention-purge';
import { setupJobs } from './setup';

export const jobsSubgraph: SubgraphDefinition<JobsContext, typeof jobsConfigShape, JobsServices> = {
  name: 'jobs',
  defaultPort: 4004,
  config: { shape: jobsConfigShape, rules: jobsConfigRules },
  entities: [WebhookEndpointEntity, WebhookDeliveryEntity, WebhookAttemptEntity],
  resolvers,
  purgeTables: [
    'jobs.webhook_attempts',
    'jobs.webhook_deliveries',
    'jobs.webhook_endpoints',
    'jobs.dead_letters',
    'jobs.tenant_statuses',
  ],
  retentionPurge: jobsRetentionPurge,
  setup: setupJobs,
  createContext: createJobsContext,
};
