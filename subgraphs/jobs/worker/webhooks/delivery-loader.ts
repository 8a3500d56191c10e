import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../../platform/db/scope';
import {
  DeliveryLoadRepository,
  type DeliveryToSend,
} from '../../repositories/delivery-load.repository';
import { createTurnBatcher, type BatchLimits } from './turn-batcher';

/** What one job finds: its delivery (null when gone) and whether its tenant is suspended. */
export interface LoadedDelivery {
  tenantSuspended: boolean;
  delivery: DeliveryToSend | null;
}

export interface DeliveryLoader {
  /** Resolves with the committed state (rejects when its batch's transaction failed). */
  load(tenantId: string, deliveryId: string): Promise<LoadedDelivery>;
}

interface Waiting {
  tenantId: string;
  deliveryId: string;
  resolve(loaded: LoadedDelivery): void;
  reject(error: unknown): void;
}

/**
 * Loads for jobs that start close together go together: one tenant transaction and one
 * statement per tenant and `maxBatch` jobs, instead of a transaction of four queries per job.
 * As for the success batches, at most `maxInFlight` loads run at once and the jobs that start
 * meanwhile wait for the next one: BullMQ hands out jobs one at a time as slots free up, so
 * without that wait most loads would hold a single job.
 */
export function createDeliveryLoader(
  options: BatchLimits & { dataSource: DataSource },
): DeliveryLoader {
  // Jobs started in the same turn of the event loop join one load.
  const enqueue = createTurnBatcher<Waiting>({
    ...options,
    take: (waiting) => takeBatch(waiting, options.maxBatch),
    run: (batch) => loadBatch(options.dataSource, batch),
  });
  return {
    load: (tenantId, deliveryId) =>
      new Promise<LoadedDelivery>((resolve, reject) => {
        enqueue({ tenantId, deliveryId, resolve, reject });
      }),
  };
}

/** The next batch: the oldest load's tenant (RLS scopes a transaction to one), `max` at most. */
function takeBatch(waiting: Waiting[], max: number): Waiting[] {
  const tenantId = waiting[0]!.tenantId;
  const batch: Waiting[] = [];
  const rest: Waiting[] = [];
  for (const entry of waiting) {
    (batch.length < max && entry.tenantId === tenantId ? batch : rest).push(entry);
  }
  waiting.splice(0, waiting.length, ...rest);
  return batch;
}

async function loadBatch(dataSource: DataSource, batch: readonly Waiting[]): Promise<void> {
  try {
    const tenantId = batch[0]!.tenantId;
    const loaded = await tenantScope(dataSource, tenantId).run((manager) =>
      new DeliveryLoadRepository(manager).load(
        tenantId,
        batch.map((entry) => entry.deliveryId),
      ),
    );
    for (const entry of batch) {
      entry.resolve({
        tenantSuspended: loaded.tenantSuspended,
        delivery: loaded.deliveries.get(entry.deliveryId) ?? null,
      });
    }
  } catch (error) {
    for (const entry of batch) entry.reject(error);
  }
}
