import type { SubgraphDefinition } from '../../platform/graphql';
import { createJobsContext, type JobsContext } from './context';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { resolvers } from './resolvers';

export const jobsSubgraph: SubgraphDefinition<JobsContext> = {
  name: 'jobs',
  defaultPort: 4004,
  entities: [WebhookEndpointEntity],
  resolvers,
  purgeTables: ['jobs.webhook_endpoints'],
  createContext: createJobsContext,
};
