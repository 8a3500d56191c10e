import type { EntityManager } from 'typeorm';
import type { DeliveryStatus, SyntheticEvent } from '../entities/webhook-delivery.entity';
import type { WebhookStatus } from '../entities/webhook-endpoint.entity';
import type { EndpointSecrets } from '../webhooks/webhook-message';

/** The endpoint as a delivery sends to it: where, how fast, and what signs. */
export interface DeliveryEndpoint extends EndpointSecrets {
  url: string;
  status: WebhookStatus;
  rateLimitPerSecond: number | null;
}

/** The journal event a delivery carries (absent for a test delivery's synthetic event). */
export interface LoadedEvent {
  id: string;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/** One delivery with what sending it needs, as one row of {@link DeliveryLoadRepository.load}. */
export interface DeliveryToSend {
  id: string;
  tenantId: string;
  eventId: string;
  jobId: string;
  status: DeliveryStatus;
  heldSince: Date | null;
  syntheticEvent: SyntheticEvent | null;
  /** Null when the endpoint was deleted (its deliveries go with it, but a job may be late). */
  endpoint: DeliveryEndpoint | null;
  /** Null for a synthetic event, or a journal event archived or purged since. */
  event: LoadedEvent | null;
}

export interface LoadedDeliveries {
  tenantSuspended: boolean;
  /** By delivery id; a delivery that no longer exists is absent. */
  deliveries: Map<string, DeliveryToSend>;
}

interface Row {
  /** Null on the one row of a batch whose deliveries are all gone. */
  id: string | null;
  tenantId: string;
  eventId: string;
  jobId: string;
  status: DeliveryStatus;
  heldSince: Date | null;
  syntheticEvent: SyntheticEvent | null;
  tenantStatus: string | null;
  endpointId: string | null;
  url: string;
  endpointStatus: WebhookStatus;
  rateLimitPerSecond: number | null;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  journalEventId: string | null;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * What the delivery jobs of one tenant need, in one plain statement whatever their number:
 * each delivery with its endpoint (secrets included) and its journal event, and the tenant's
 * suspension. This was four TypeORM queries per job (entity hydration included), the biggest
 * share of the database's and the worker's time per delivery. Runs inside a tenant transaction:
 * row-level security scopes every table to that tenant.
 */
export class DeliveryLoadRepository {
  constructor(private readonly manager: EntityManager) {}

  async load(tenantId: string, deliveryIds: readonly string[]): Promise<LoadedDeliveries> {
    // The tenant's status rides on a LEFT JOIN from a one-row VALUES, so a batch whose
    // deliveries are all gone still says whether the tenant is suspended.
    const rows = await this.manager.query<Row[]>(
      `SELECT s.status AS "tenantStatus",
              d.id, d.tenant_id AS "tenantId", d.event_id AS "eventId", d.job_id AS "jobId",
              d.status, d.held_since AS "heldSince", d.synthetic_event AS "syntheticEvent",
              e.id AS "endpointId", e.url, e.status AS "endpointStatus",
              e.rate_limit_per_second AS "rateLimitPerSecond",
              e.secret_ciphertext AS "secretCiphertext",
              e.previous_secret_ciphertext AS "previousSecretCiphertext",
              e.previous_secret_expires_at AS "previousSecretExpiresAt",
              ev.id AS "journalEventId", ev.seq::text AS seq, ev.type, ev.payload,
              ev.occurred_at AS "occurredAt"
         FROM (VALUES ($1::uuid)) AS t (tenant_id)
         LEFT JOIN jobs.tenant_statuses s ON s.tenant_id = t.tenant_id
         LEFT JOIN jobs.webhook_deliveries d ON d.id = ANY($2::uuid[])
         LEFT JOIN jobs.webhook_endpoints e ON e.id = d.endpoint_id
         LEFT JOIN events.events ev ON ev.id = d.event_id AND d.synthetic_event IS NULL`,
      [tenantId, deliveryIds],
    );
    const deliveries = new Map<string, DeliveryToSend>();
    for (const row of rows) {
      if (row.id !== null) deliveries.set(row.id, toDelivery({ ...row, id: row.id }));
    }
    return { tenantSuspended: rows[0]?.tenantStatus === 'SUSPENDED', deliveries };
  }
}

function toDelivery(row: Row & { id: string }): DeliveryToSend {
  return {
    id: row.id,
    tenantId: row.tenantId,
    eventId: row.eventId,
    jobId: row.jobId,
    status: row.status,
    heldSince: row.heldSince,
    syntheticEvent: row.syntheticEvent,
    endpoint:
      row.endpointId === null
        ? null
        : {
            id: row.endpointId,
            url: row.url,
            status: row.endpointStatus,
            rateLimitPerSecond: row.rateLimitPerSecond,
            secretCiphertext: row.secretCiphertext,
            previousSecretCiphertext: row.previousSecretCiphertext,
            previousSecretExpiresAt: row.previousSecretExpiresAt,
          },
    event:
      row.journalEventId === null
        ? null
        : {
            id: row.journalEventId,
            seq: row.seq,
            type: row.type,
            payload: row.payload,
            occurredAt: row.occurredAt,
          },
  };
}
