import { In, type EntityManager } from 'typeorm';
import { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import {
  WebhookDeliveryEntity,
  type DeliveryOrigin,
  type DeliveryStatus,
  type SyntheticEvent,
} from '../entities/webhook-delivery.entity';

export interface NewDelivery {
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  origin: DeliveryOrigin;
  replayId: string | null;
  syntheticEvent: SyntheticEvent | null;
  jobId: string;
  requestId: string | null;
}

/** A delivery as inserted or found again, with what enqueueing it needs. */
export interface InsertedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  jobId: string;
  status: DeliveryStatus;
  attemptCount: number;
}

export type DeliveryChanges = Partial<
  Pick<
    WebhookDeliveryEntity,
    | 'status'
    | 'jobId'
    | 'attemptCount'
    | 'runAttempts'
    | 'nextAttemptAt'
    | 'lastAttemptAt'
    | 'finishedAt'
    | 'heldSince'
  >
>;

export interface DeliveryPageQuery {
  endpointId: string;
  status: DeliveryStatus | null;
  /** Keyset position of the cursor: created_at and id of the last row seen. */
  before: { createdAt: string; id: string } | null;
  limit: number;
}

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class WebhookDeliveryRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Inserts deliveries; one that exists already (the relay handing a batch over twice) is
   * returned as it is, so the caller enqueues exactly the rows that still wait.
   */
  async insertMany(rows: readonly NewDelivery[]): Promise<InsertedDelivery[]> {
    if (rows.length === 0) return [];
    const params: unknown[] = [];
    const values = rows.map((row) => {
      const at = params.length;
      params.push(
        row.tenantId,
        row.endpointId,
        row.eventId,
        row.eventType,
        row.origin,
        row.replayId,
        row.syntheticEvent === null ? null : JSON.stringify(row.syntheticEvent),
        row.jobId,
        row.requestId,
      );
      return `($${at + 1}::uuid, $${at + 2}::uuid, $${at + 3}::uuid, $${at + 4}, $${at + 5}, $${at + 6}::uuid, $${at + 7}::jsonb, $${at + 8}, $${at + 9})`;
    });
    // DO UPDATE with no change: unlike DO NOTHING, it returns the row that was there.
    return this.manager.query(
      `INSERT INTO jobs.webhook_deliveries
         (tenant_id, endpoint_id, event_id, event_type, origin, replay_id, synthetic_event, job_id, request_id)
       VALUES ${values.join(', ')}
       ON CONFLICT ON CONSTRAINT webhook_deliveries_once
         DO UPDATE SET updated_at = jobs.webhook_deliveries.updated_at
       RETURNING id, endpoint_id AS "endpointId", event_id AS "eventId", job_id AS "jobId",
                 status, attempt_count AS "attemptCount"`,
      params,
    );
  }

  findById(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.manager.findOne(WebhookDeliveryEntity, { where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<WebhookDeliveryEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(WebhookDeliveryEntity, { where: { id: In([...ids]) } });
  }

  /** Holds the delivery's row until the transaction ends: one writer per delivery at a time. */
  lockById(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.manager.findOne(WebhookDeliveryEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async update(id: string, changes: DeliveryChanges): Promise<void> {
    await this.manager.update(WebhookDeliveryEntity, { id }, changes);
  }

  /**
   * One page, newest first (index: endpoint, [status,] created_at DESC, id DESC). Positions
   * come back as text with microseconds, so a cursor built from one compares exactly.
   */
  async page(
    query: DeliveryPageQuery,
  ): Promise<{ delivery: WebhookDeliveryEntity; position: string }[]> {
    const builder = this.manager
      .createQueryBuilder(WebhookDeliveryEntity, 'd')
      .addSelect(
        `to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
        'position',
      )
      .where('d.endpoint_id = :endpointId', { endpointId: query.endpointId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(query.limit);
    if (query.status) builder.andWhere('d.status = :status', { status: query.status });
    if (query.before) {
      builder.andWhere(
        '(d.created_at, d.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))',
        {
          createdAt: query.before.createdAt,
          id: query.before.id,
        },
      );
    }
    const { entities, raw } = await builder.getRawAndEntities<{ position: string }>();
    return entities.map((delivery, index) => ({
      delivery,
      position: raw[index]!.position,
    }));
  }

  /** Every attempt of these deliveries, oldest first (unique index: delivery_id, attempt). */
  attemptsOf(deliveryIds: readonly string[]): Promise<WebhookAttemptEntity[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.manager.find(WebhookAttemptEntity, {
      where: { deliveryId: In([...deliveryIds]) },
      order: { deliveryId: 'ASC', attempt: 'ASC' },
    });
  }

  /** Marks the delivery as waiting for its suspended tenant, from the first time on. */
  async hold(id: string): Promise<void> {
    await this.manager.query(
      `UPDATE jobs.webhook_deliveries SET held_since = coalesce(held_since, now()) WHERE id = $1`,
      [id],
    );
  }

  /** The jobs of the tenant's held deliveries (partial index webhook_deliveries_held_idx). */
  async heldJobIds(tenantId: string): Promise<string[]> {
    const rows = await this.manager.query<{ job_id: string }[]>(
      `SELECT job_id FROM jobs.webhook_deliveries WHERE tenant_id = $1 AND held_since IS NOT NULL`,
      [tenantId],
    );
    return rows.map((row) => row.job_id);
  }

  async insertAttempt(attempt: Omit<WebhookAttemptEntity, 'id'>): Promise<void> {
    await this.manager.insert(WebhookAttemptEntity, attempt);
  }
}
