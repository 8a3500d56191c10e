import type { DataSource, EntityManager } from 'typeorm';
import { currentContext, runWithContext } from '../../../../platform/context/request-context';
import { tenantScope } from '../../../../platform/db/scope';
import { appendEvents, prepareEvent } from '../../../../platform/events/append-event';
import { EventType } from '../../../../platform/events/event-types';
import { captureTraceContext } from '../../../../platform/observability/tracing';
import {
  WebhookAttemptBatchRepository,
  type BatchedAttempt,
  type FinishedDelivery,
  type LockedDelivery,
} from '../../repositories/webhook-attempt-batch.repository';
import { standDown } from './stand-down';
import { createTurnBatcher, type BatchLimits } from './turn-batcher';

/** A 2xx answer, to be written to the attempt log with its delivery's new status. */
export interface SuccessfulAttempt {
  tenantId: string;
  deliveryId: string;
  /** The job that sent it: only the job in charge of the delivery finishes it. */
  jobId: string | undefined;
  statusCode: number;
  durationMs: number;
  responseBody: string | null;
}

export type RecordedSuccess =
  | { outcome: 'succeeded'; attempt: number; status: 'SUCCEEDED' }
  | { outcome: 'skipped'; attempt?: number; reason: string };

export interface SuccessRecorder {
  /** Resolves once the attempt is committed (rejects when its batch's transaction failed). */
  record(attempt: SuccessfulAttempt): Promise<RecordedSuccess>;
}

interface Waiting {
  attempt: SuccessfulAttempt;
  /** Runs the attempt's event append in its own request and trace context. */
  resume: <T>(fn: () => T) => T;
  resolve(recorded: RecordedSuccess): void;
  reject(error: unknown): void;
}

/**
 * Group commit for successful attempts. One transaction per attempt made every delivery of a
 * tenant wait in line for the tenant's journal counter (each success appends an event, which
 * holds the counter's row lock until COMMIT and its WAL flush), so deliveries to one tenant
 * went no faster than one commit after another. Attempts that arrive while a batch is being
 * written wait and go together in the next one: one transaction, one counter lock and one
 * flush per batch, with the same rows and events as one at a time. A job still finishes only
 * after its attempt is committed, so nothing is acknowledged that is not recorded.
 */
export function createSuccessRecorder(
  options: BatchLimits & { dataSource: DataSource },
): SuccessRecorder {
  // Attempts finished in the same turn of the event loop join one batch.
  const enqueue = createTurnBatcher<Waiting>({
    ...options,
    take: (waiting) => takeBatch(waiting, options.maxBatch),
    run: (batch) => flush(options.dataSource, batch),
  });
  return {
    record: (attempt) =>
      new Promise<RecordedSuccess>((resolve, reject) => {
        const requestContext = currentContext();
        const inTrace = captureTraceContext();
        const resume = <T>(fn: () => T): T =>
          inTrace(() => (requestContext ? runWithContext(requestContext, fn) : fn()));
        enqueue({ attempt, resume, resolve, reject });
      }),
  };
}

/**
 * The next batch: the oldest attempt's tenant (RLS scopes a transaction to one tenant), at
 * most `max` attempts, one per delivery (a second attempt of a delivery waits for the next).
 */
function takeBatch(waiting: Waiting[], max: number): Waiting[] {
  const tenantId = waiting[0]!.attempt.tenantId;
  const batch: Waiting[] = [];
  const rest: Waiting[] = [];
  const deliveries = new Set<string>();
  for (const entry of waiting) {
    const { attempt } = entry;
    const joins =
      batch.length < max && attempt.tenantId === tenantId && !deliveries.has(attempt.deliveryId);
    if (joins) deliveries.add(attempt.deliveryId);
    (joins ? batch : rest).push(entry);
  }
  waiting.splice(0, waiting.length, ...rest);
  return batch;
}

async function flush(dataSource: DataSource, batch: Waiting[]): Promise<void> {
  try {
    const tenantId = batch[0]!.attempt.tenantId;
    const recorded = await tenantScope(dataSource, tenantId).run((manager) =>
      writeBatch(manager, tenantId, batch),
    );
    batch.forEach((entry, index) => entry.resolve(recorded[index]!));
  } catch (error) {
    for (const entry of batch) entry.reject(error);
  }
}

async function writeBatch(
  manager: EntityManager,
  tenantId: string,
  batch: readonly Waiting[],
): Promise<RecordedSuccess[]> {
  const repository = new WebhookAttemptBatchRepository(manager);
  const locked = await repository.lockDeliveries(batch.map((entry) => entry.attempt.deliveryId));
  const rows = new Map(locked.map((row) => [row.id, row]));
  const now = new Date();
  const attempts: BatchedAttempt[] = [];
  const finished: FinishedDelivery[] = [];
  const succeeded: { entry: Waiting; delivery: LockedDelivery; attempt: number }[] = [];
  const recorded = batch.map((entry): RecordedSuccess => {
    const { attempt: sent } = entry;
    const delivery = rows.get(sent.deliveryId);
    // Deleted with its endpoint while the request was out: nothing left to record.
    if (!delivery) return { outcome: 'skipped', reason: 'the delivery no longer exists' };
    const attempt = delivery.attemptCount + 1;
    attempts.push({ ...sent, attempt });
    // A manual retry took over while this request was out: the attempt is history, the
    // status belongs to the new job.
    if (standDown(delivery, sent.jobId)) {
      finished.push({ id: delivery.id, attemptCount: attempt, runAttempts: null });
      return { outcome: 'skipped', attempt, reason: 'another job took over the delivery' };
    }
    finished.push({
      id: delivery.id,
      attemptCount: attempt,
      runAttempts: delivery.runAttempts + 1,
    });
    succeeded.push({ entry, delivery, attempt });
    return { outcome: 'succeeded', attempt, status: 'SUCCEEDED' };
  });
  await repository.write(tenantId, now, attempts, finished, [
    ...new Set(succeeded.map((s) => s.delivery.endpointId)),
  ]);
  // One statement for the batch's status events, each with its own request and trace.
  await appendEvents(
    manager,
    succeeded.map(({ entry, delivery, attempt }) =>
      entry.resume(() =>
        prepareEvent({
          type: EventType.WEBHOOK_DELIVERY_SUCCEEDED,
          payload: {
            deliveryId: delivery.id,
            endpointId: delivery.endpointId,
            eventId: delivery.eventId,
            eventType: delivery.eventType,
            attempt,
            statusCode: entry.attempt.statusCode,
          },
          tenantId: delivery.tenantId,
          actor: { kind: 'system', id: null },
        }),
      ),
    ),
  );
  return recorded;
}
