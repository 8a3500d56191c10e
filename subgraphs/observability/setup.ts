import { Queue } from 'bullmq';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import { ALL_QUEUES } from '../../platform/queues';
import { queuePrefix } from '../../platform/redis';
import { processTargets, type ObservabilityConfig } from './config';
import { ReadinessProbe } from './probes/readiness-probe';

/** What the observability process builds once and shares across requests. */
export interface ObservabilityServices {
  readiness: ReadinessProbe;
  /** One handle per queue, for counts only (no worker here). */
  queues: Queue[];
}

export async function setupObservability(
  runtime: SubgraphRuntime<ObservabilityConfig>,
): Promise<SubgraphServices<ObservabilityServices>> {
  const { config, logger, redis } = runtime;
  const queues = ALL_QUEUES.map((name) => {
    const queue = new Queue(name, { connection: redis, prefix: queuePrefix(config.REDIS_PREFIX) });
    queue.on('error', (error) => logger.warn({ err: error, queue: name }, 'queue error'));
    return queue;
  });
  return Promise.resolve({
    services: {
      readiness: new ReadinessProbe(processTargets(config), config.PROBE_TIMEOUT_MS),
      queues,
    },
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  });
}
