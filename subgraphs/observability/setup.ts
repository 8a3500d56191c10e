import { Queue } from 'bullmq';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import { ALL_QUEUES, QueueName } from '../../platform/queues';
import { queuePrefix } from '../../platform/redis';
import { processTargets, type ObservabilityConfig } from './config';
import { MetricsScraper } from './probes/metrics-scraper';
import { ReadinessProbe } from './probes/readiness-probe';
import { alertEvaluationRoute } from './routes/alert-evaluation.route';
import { AlertEvaluator } from './services/alert-evaluator.service';

/** What the observability process builds once and shares across requests. */
export interface ObservabilityServices {
  readiness: ReadinessProbe;
  /** One handle per queue: counts for queueStats, and alert notifications into `alerts`. */
  queues: Queue[];
}

export async function setupObservability(
  runtime: SubgraphRuntime<ObservabilityConfig>,
): Promise<SubgraphServices<ObservabilityServices>> {
  const { config, logger, redis, dataSource, metrics } = runtime;
  const targets = processTargets(config);
  const queues = ALL_QUEUES.map((name) => {
    const queue = new Queue(name, { connection: redis, prefix: queuePrefix(config.REDIS_PREFIX) });
    queue.on('error', (error) => logger.warn({ err: error, queue: name }, 'queue error'));
    return queue;
  });
  const evaluator = new AlertEvaluator({
    dataSource,
    scraper: new MetricsScraper(targets, metrics.registry, config.PROBE_TIMEOUT_MS),
    queue: queues.find((queue) => queue.name === QueueName.ALERTS)!,
    dispatchAttempts: config.ALERT_DISPATCH_ATTEMPTS,
    dispatchBackoffMs: config.ALERT_DISPATCH_BACKOFF_MS,
    logger,
  });
  return {
    services: { readiness: new ReadinessProbe(targets, config.PROBE_TIMEOUT_MS), queues },
    routes: alertEvaluationRoute(runtime as SubgraphRuntime, evaluator),
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
