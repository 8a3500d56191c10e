import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'paused'] as const;

/**
 * `tessera_queue_jobs{queue, state}`: jobs in each queue by state, read from Redis at scrape
 * time. Every worker pod reports the same numbers (the queues are shared), so aggregate with
 * `max`, not `sum`. Completed jobs are left out: they are history, not depth.
 */
export function observeQueues(registry: Registry, queues: readonly Queue[], logger: Logger): void {
  new Gauge({
    name: 'tessera_queue_jobs',
    help: 'Jobs in each queue by state (waiting, prioritized, active, delayed, failed, paused).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const counts = await queue.getJobCounts(...STATES);
            for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch (error) {
            // A scrape while Redis is away shows no series rather than failing /metrics.
            logger.debug({ err: error, queue: queue.name }, 'queue depth unreadable');
          }
        }),
      );
    },
  });
}
