import type { EntityManager } from 'typeorm';
import type { ActorKind } from '../../../platform/events/append-event';

/** One journal event as the jobs subgraph reads it (events.events belongs to platform/events). */
export interface EventRecord {
  id: string;
  tenantId: string | null;
  /** A bigint, so a decimal string. */
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actorKind: ActorKind | null;
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  occurredAt: Date;
}

export interface EventPageQuery {
  tenantId: string;
  /** Only these types; null for all. */
  types: readonly string[] | null;
  /** Only events that occurred at or after this instant. */
  since: Date | null;
  /** Only events with a smaller seq (the cursor); null for the newest. */
  beforeSeq: string | null;
  limit: number;
}

const COLUMNS = `e.id, e.tenant_id AS "tenantId", e.seq::text AS seq, e.type, e.payload,
  e.actor_kind AS "actorKind", e.actor_id AS "actorId", e.request_id AS "requestId", e.ip,
  e.user_agent AS "userAgent", e.occurred_at AS "occurredAt"`;

/**
 * Up to this many events matching `since` are read through (tenant_id, occurred_at) and
 * sorted; beyond it, the seq-ordered scans below find a page sooner.
 */
const SINCE_PROBE = 2_000;

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class EventRepository {
  constructor(private readonly manager: EntityManager) {}

  /** One keyset page, newest first. */
  async findPage(query: EventPageQuery): Promise<EventRecord[]> {
    if (query.since !== null) {
      const recent = await this.recentPage(query, query.since);
      if (recent) return recent;
    }
    return this.seqPage(query);
  }

  /** Events after a seq, oldest first (the (tenant_id, seq) or (tenant_id, type, seq) index). */
  findAfter(query: {
    tenantId: string;
    types: readonly string[] | null;
    afterSeq: string;
    limit: number;
  }): Promise<EventRecord[]> {
    const typed = query.types !== null;
    return this.manager.query(
      `SELECT ${COLUMNS} FROM events.events e
        WHERE e.tenant_id = $1 AND e.seq > $2::bigint ${typed ? 'AND e.type = ANY($4::text[])' : ''}
        ORDER BY e.seq ASC LIMIT $3`,
      typed
        ? [query.tenantId, query.afterSeq, query.limit, query.types]
        : [query.tenantId, query.afterSeq, query.limit],
    );
  }

  /**
   * Events of a time range for a webhook replay, oldest first (index: tenant_id, occurred_at):
   * id and type only, at most `limit`. `exact` and `prefixes` (`tenancy.member.` for the filter
   * `tenancy.member.*`) select types; `all` takes every type; `excludedPrefix` never matches.
   */
  findForReplay(query: {
    tenantId: string;
    since: Date;
    until: Date;
    all: boolean;
    exact: readonly string[];
    prefixes: readonly string[];
    excludedPrefix: string;
    limit: number;
  }): Promise<{ id: string; type: string }[]> {
    const escape = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
    return this.manager.query(
      `SELECT e.id, e.type FROM events.events e
        WHERE e.tenant_id = $1 AND e.occurred_at >= $2 AND e.occurred_at <= $3
          AND e.type NOT LIKE $4
          AND ($5 OR e.type = ANY($6::text[]) OR e.type LIKE ANY($7::text[]))
        ORDER BY e.seq ASC LIMIT $8`,
      [
        query.tenantId,
        query.since,
        query.until,
        escape(query.excludedPrefix),
        query.all,
        query.exact,
        query.prefixes.map(escape),
        query.limit,
      ],
    );
  }

  findByIds(ids: readonly string[]): Promise<EventRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.query(
      `SELECT ${COLUMNS} FROM events.events e WHERE e.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** The traces the events were appended in (tracing on), by event id; untraced ones absent. */
  async traceparents(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.manager.query<{ id: string; traceparent: string }[]>(
      `SELECT e.id, e.traceparent FROM events.events e
        WHERE e.id = ANY($1::uuid[]) AND e.traceparent IS NOT NULL`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.traceparent]));
  }

  /**
   * Walks seq downwards from the cursor, each condition an index condition (they are only
   * added when given): the unique (tenant_id, seq) index without types; with types, one scan
   * of (tenant_id, type, seq) per type, each stopping after `limit` rows, then merged (at
   * most 20 × limit rows, however long the journal).
   */
  private seqPage(query: EventPageQuery): Promise<EventRecord[]> {
    const { params, param, conditions } = baseConditions(query);
    if (query.since !== null) conditions.push(`e.occurred_at >= ${param(query.since)}`);
    const limit = param(query.limit);

    if (query.types === null) {
      return this.manager.query(
        `SELECT ${COLUMNS} FROM events.events e
          WHERE ${conditions.join(' AND ')}
          ORDER BY e.seq DESC LIMIT ${limit}`,
        params,
      );
    }
    const types = param(query.types);
    return this.manager.query(
      `SELECT ${COLUMNS}
         FROM unnest(${types}::text[]) AS t(type)
        CROSS JOIN LATERAL (
          SELECT * FROM events.events e
           WHERE ${[...conditions, 'e.type = t.type'].join(' AND ')}
           ORDER BY e.seq DESC LIMIT ${limit}) e
        ORDER BY e.seq DESC LIMIT ${limit}`,
      params,
    );
  }

  /**
   * A recent `since` matches few events, and walking seq down to find them would read the
   * tenant's whole history when fewer than a page match (occurred_at only roughly follows
   * seq). So the (tenant_id, occurred_at) index collects them first, at most SINCE_PROBE + 1;
   * null means there were more, and the seq walk is the better plan.
   */
  private async recentPage(query: EventPageQuery, since: Date): Promise<EventRecord[] | null> {
    const { params, param, conditions } = baseConditions(query);
    conditions.push(`e.occurred_at >= ${param(since)}`);
    if (query.types !== null) conditions.push(`e.type = ANY(${param(query.types)}::text[])`);
    const rows = await this.manager.query<(EventRecord & { overflow?: boolean })[]>(
      `WITH recent AS MATERIALIZED (
         SELECT * FROM events.events e WHERE ${conditions.join(' AND ')} LIMIT ${SINCE_PROBE + 1})
       SELECT ${COLUMNS}, (SELECT count(*) FROM recent) > ${SINCE_PROBE} AS overflow
         FROM recent e
        ORDER BY e.seq DESC LIMIT ${param(query.limit)}`,
      params,
    );
    if (rows[0]?.overflow) return null;
    for (const row of rows) delete row.overflow;
    return rows;
  }
}

function baseConditions(query: EventPageQuery) {
  const params: unknown[] = [query.tenantId];
  const param = (value: unknown) => `$${params.push(value)}`;
  const conditions = ['e.tenant_id = $1'];
  if (query.beforeSeq !== null) conditions.push(`e.seq < ${param(query.beforeSeq)}::bigint`);
  return { params, param, conditions };
}
