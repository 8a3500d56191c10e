import type { Logger } from 'pino';
import { MAX_USAGE_DELTAS, usageReportCall } from '../contracts/observability/usage-report';
import type { InternalClient } from '../internal-calls/client';
import type { UsageAggregator } from './usage-aggregator';

export interface UsageReporterOptions {
  counts: UsageAggregator;
  internal: InternalClient;
  flushMs: number;
  logger: Logger;
  /** Each report's outcome, for a metric. */
  onReport?: (outcome: 'ok' | 'failed') => void;
}

export interface UsageReporter {
  /** Sends what was counted now (after a report already on its way). */
  flush(): Promise<void>;
  /** Stops the timer and sends the rest. */
  stop(): Promise<void>;
}

/**
 * Sends a process's usage counts to observability every `flushMs`, one signed call per report
 * (at most {@link MAX_USAGE_DELTAS} tenant-days each). A report that fails is put back and
 * goes with the next one, so observability being away loses nothing.
 */
export function startUsageReporter(options: UsageReporterOptions): UsageReporter {
  let running: Promise<void> | undefined;
  const send = async () => {
    const deltas = options.counts.drain();
    for (let start = 0; start < deltas.length; start += MAX_USAGE_DELTAS) {
      const batch = deltas.slice(start, start + MAX_USAGE_DELTAS);
      try {
        await options.internal.call(usageReportCall, { deltas: batch });
        options.onReport?.('ok');
      } catch (error) {
        options.counts.restore(batch);
        options.onReport?.('failed');
        options.logger.warn({ err: error, tenantDays: batch.length }, 'usage report failed');
      }
    }
  };
  const flush = async () => {
    while (running) await running;
    running = send().finally(() => (running = undefined));
    await running;
  };
  const timer = setInterval(() => {
    if (!running) void flush();
  }, options.flushMs);
  timer.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
