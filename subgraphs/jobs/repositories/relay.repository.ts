import type { Client } from 'pg';
import { EVENTS_NOTIFY_CHANNEL, type PublishedEvent } from '../../../platform/events/channel';
import { type ActorKind } from '../../../platform/events/append-event';

/**
 * The advisory lock only one relay per database holds. Session-level: it lasts as long as the
 * relay's connection, so a relay that dies (process killed, connection cut) releases it.
 */
export const RELAY_LOCK_NAME = 'tessera.events.relay';

interface UnpublishedRow {
  id: string;
  tenant_id: string | null;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actor_kind: ActorKind | null;
  actor_id: string | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  occurred_at: Date;
  more: boolean;
}

/** A batch of the oldest unpublished events, and whether it may have left some out. */
export interface UnpublishedBatch {
  events: PublishedEvent[];
  /**
   * Whether more may be waiting: the relay asks again at once. Otherwise the batch held every
   * event that was waiting, and the relay waits for a NOTIFY (or its poll).
   */
  more: boolean;
}

/**
 * The relay's SQL, on its one dedicated connection (not the pool: the lock belongs to the
 * session). It reads across tenants only through the SECURITY DEFINER functions of the
 * add-event-relay-functions migration; the worker's role cannot otherwise.
 */
export class RelayRepository {
  constructor(private readonly client: Client) {}

  /**
   * Keeps this session alive and visible to the server: a server-wide idle timeout must not
   * end the lock holder's session, and TCP keepalives let the server notice a holder that
   * vanished without closing its socket (then the lock is released for a standby).
   */
  async configureSession(): Promise<void> {
    await this.client.query(
      `SELECT set_config('idle_session_timeout', '0', false),
              set_config('tcp_keepalives_idle', '10', false),
              set_config('tcp_keepalives_interval', '5', false),
              set_config('tcp_keepalives_count', '3', false)`,
    );
  }

  async tryLock(): Promise<boolean> {
    const result = await this.client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      [RELAY_LOCK_NAME],
    );
    return result.rows[0]?.locked === true;
  }

  async listen(): Promise<void> {
    await this.client.query(`LISTEN ${EVENTS_NOTIFY_CHANNEL}`);
  }

  /** Seconds since the oldest unpublished event occurred, or null when none waits. */
  async lagSeconds(): Promise<number | null> {
    const result = await this.client.query<{ lag: number | null }>(
      `SELECT events.relay_lag_seconds() AS lag`,
    );
    return result.rows[0]?.lag ?? null;
  }

  /**
   * At most about `batch` of the oldest unpublished events, shared between the scopes that
   * have some waiting, ordered by scope (platform first) then seq.
   */
  async unpublished(batch: number): Promise<UnpublishedBatch> {
    const result = await this.client.query<UnpublishedRow>(
      `SELECT id, tenant_id, seq::text AS seq, type, payload, actor_kind, actor_id, request_id,
              ip, user_agent, occurred_at, more
         FROM events.unpublished($1) u
        ORDER BY u.tenant_id NULLS FIRST, u.seq`,
      [batch],
    );
    return { events: result.rows.map(toPublishedEvent), more: result.rows[0]?.more ?? false };
  }

  async markPublished(ids: readonly string[]): Promise<number> {
    const result = await this.client.query<{ marked: number }>(
      `SELECT events.mark_published($1::uuid[]) AS marked`,
      [ids],
    );
    return result.rows[0]?.marked ?? 0;
  }
}

function toPublishedEvent(row: UnpublishedRow): PublishedEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    actor: row.actor_kind === null ? null : { kind: row.actor_kind, id: row.actor_id },
    requestId: row.request_id,
    ip: row.ip,
    userAgent: row.user_agent,
    occurredAt: row.occurred_at.toISOString(),
  };
}
