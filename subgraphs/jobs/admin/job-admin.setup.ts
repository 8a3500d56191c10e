import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import type { JobAdminServices } from './job-admin.context';
import { JobQueues } from './job-queues';

/** The queue handles the jobs admin works with, closed with the process. */
export function setupJobAdmin(runtime: SubgraphRuntime): {
  services: JobAdminServices;
  close: () => Promise<void>;
} {
  const queues = new JobQueues(runtime.redis, runtime.config.REDIS_PREFIX, runtime.logger);
  return { services: { queues }, close: () => queues.close() };
}
