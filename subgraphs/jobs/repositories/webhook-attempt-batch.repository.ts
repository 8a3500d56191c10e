import type { EntityManager } from 'typeorm';
import type { DeliveryStatus } from '../entities/webhook-delivery.entity';

/** A delivery's row as a batch of attempts finds it, under its row lock. */
export interface LockedDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  jobId: string;
  status: DeliveryStatus;
  attemptCount: number;
  runAttempts: number;
}

export interface BatchedAttempt {
  deliveryId: string;
  attempt: number;
  statusCode: number;
  durationMs: number;
  responseBody: string | null;
}

/** A delivery's counts after a batched attempt (`runAttempts` null: only the count moves). */
export interface FinishedDelivery {
  id: string;
  attemptCount: number;
  runAttempts: number | null;
}

/**
 * The SQL of recording many successful attempts in one transaction (success-recorder.ts):
 * one statement for the row locks and one for the attempt log, the deliveries and the
 * endpoints' failure streaks, whatever the batch's size. Runs inside a tenant transaction (RLS).
 */
export class WebhookAttemptBatchRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Locks the rows in id order, so two batches never wait on each other in a cycle. */
  lockDeliveries(ids: readonly string[]): Promise<LockedDelivery[]> {
    return this.manager.query(
      `SELECT id, tenant_id AS "tenantId", endpoint_id AS "endpointId", event_id AS "eventId",
              event_type AS "eventType", job_id AS "jobId", status,
              attempt_count AS "attemptCount", run_attempts AS "runAttempts"
         FROM jobs.webhook_deliveries
        WHERE id = ANY($1::uuid[])
        ORDER BY id
          FOR UPDATE`,
      [ids],
    );
  }

  /**
   * In one statement (one round trip): the attempts into the attempt log; each delivery's new
   * counts, SUCCEEDED unless `runAttempts` is null (a job that lost charge: only the count
   * moves); and the end of the failure streaks of `recoveredEndpoints`, touching (and locking)
   * only the rows that have one. Data-modifying CTEs run whether or not they are read.
   */
  async write(
    tenantId: string,
    at: Date,
    attempts: readonly BatchedAttempt[],
    deliveries: readonly FinishedDelivery[],
    recoveredEndpoints: readonly string[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    await this.manager.query(
      `WITH logged AS (
         INSERT INTO jobs.webhook_attempts
           (tenant_id, delivery_id, attempt, attempted_at, status_code, duration_ms, error,
            response_body)
         SELECT $1::uuid, a.delivery_id, a.attempt, $2::timestamptz, a.status_code,
                a.duration_ms, NULL, a.response_body
           FROM unnest($3::uuid[], $4::int[], $5::int[], $6::int[], $7::text[])
                AS a (delivery_id, attempt, status_code, duration_ms, response_body)),
       finished AS (
         UPDATE jobs.webhook_deliveries d
            SET attempt_count = r.attempt_count,
                last_attempt_at = $2::timestamptz,
                run_attempts = coalesce(r.run_attempts, d.run_attempts),
                status = CASE WHEN r.run_attempts IS NULL THEN d.status ELSE 'SUCCEEDED' END,
                next_attempt_at = CASE WHEN r.run_attempts IS NULL THEN d.next_attempt_at END,
                finished_at = CASE WHEN r.run_attempts IS NULL THEN d.finished_at ELSE $2::timestamptz END,
                held_since = CASE WHEN r.run_attempts IS NULL THEN d.held_since END,
                updated_at = now()
           FROM unnest($8::uuid[], $9::int[], $10::int[]) AS r (id, attempt_count, run_attempts)
          WHERE d.id = r.id)
       UPDATE jobs.webhook_endpoints SET failing_since = NULL, updated_at = now()
        WHERE id = ANY($11::uuid[]) AND failing_since IS NOT NULL`,
      [
        tenantId,
        at,
        attempts.map((a) => a.deliveryId),
        attempts.map((a) => a.attempt),
        attempts.map((a) => a.statusCode),
        attempts.map((a) => a.durationMs),
        attempts.map((a) => a.responseBody),
        deliveries.map((r) => r.id),
        deliveries.map((r) => r.attemptCount),
        deliveries.map((r) => r.runAttempts),
        recoveredEndpoints,
      ],
    );
  }
}
