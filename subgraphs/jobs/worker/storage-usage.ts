import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { UsageAggregator } from '../../../platform/usage/usage-aggregator';
import { StoredBytesRepository } from '../repositories/stored-bytes.repository';

export interface StorageSamplerOptions {
  dataSource: DataSource;
  /** The worker's usage counts, reported to observability with its webhook deliveries. */
  usage: UsageAggregator;
  sampleMs: number;
  logger: Logger;
}

export interface StorageSampler {
  /** Takes one sample now (also what the timer does). */
  sample(): Promise<void>;
  stop(): void;
}

/**
 * Samples the bytes each tenant's assets hold every `sampleMs` into the usage counts, whose
 * day keeps the largest sample: a tenant's storage per day, for cost tracking. Every worker
 * samples; reports of the same level add nothing, as the row keeps the largest.
 */
export function startStorageSampler(options: StorageSamplerOptions): StorageSampler {
  const stored = new StoredBytesRepository(options.dataSource);
  let failing = false;
  const sample = async () => {
    try {
      for (const { tenantId, bytes } of await stored.byTenant()) {
        options.usage.storageBytes(tenantId, bytes);
      }
      failing = false;
    } catch (error) {
      // The next sample tries again; an outage is logged once, not every time.
      if (!failing) options.logger.warn({ err: error }, 'could not sample stored bytes');
      failing = true;
    }
  };
  const timer = setInterval(() => void sample(), options.sampleMs);
  timer.unref();
  void sample();
  return { sample, stop: () => clearInterval(timer) };
}
