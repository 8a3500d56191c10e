import type { EntityManager } from 'typeorm';
import { currentContext } from '../context/request-context';
import { ValidationError } from '../errors/domain-errors';
import { traceCarrier } from '../observability/tracing';
import { EVENTS_NOTIFY_CHANNEL, PLATFORM_CHANNEL_SCOPE } from './channel';
import { EVENT_TYPE_PATTERN, isEventType, type EventType } from './event-types';

/** The counter scope of platform-level events (tenant_id NULL); no tenant may have this id. */
export const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';

/** Serialized JSON; events describe what happened, they do not carry documents. */
export const MAX_EVENT_PAYLOAD_BYTES = 64 * 1024;

export const ACTOR_KINDS = ['user', 'apiKey', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface EventActor {
  kind: ActorKind;
  /** Required for users and API keys; the system may act without one. */
  id: string | null;
}

export interface NewEvent {
  type: EventType;
  payload: Record<string, unknown>;
  /** Default: the request context's tenant. `null` is a platform-level event. */
  tenantId?: string | null;
  /** Default: the request context's principal. `null` records no actor. */
  actor?: EventActor | null;
}

export interface AppendedEvent {
  id: string;
  /** Per-tenant (or platform) sequence number; a bigint, so a string. */
  seq: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// events.append_event (see the reach-the-journal-through-functions migration) draws the next
// seq of the event's scope and inserts it, refusing an event of another scope than the
// transaction's. The counter row stays locked until the caller's transaction ends: see the
// create-events migration for why that makes seq order equal commit order with no gaps. Append
// late in a transaction, so the lock serializes as little of the tenant's other work as possible.
//
// The same statement wakes the relay with pg_notify (payload: the tenant id or `platform`).
// PostgreSQL delivers a notification only when the transaction commits, and drops it on
// rollback, so a rolled-back append wakes nobody; identical notifications of one transaction
// are folded into one. The wake-up is only a hint: the relay also polls, so a lost
// notification delays an event by at most RELAY_POLL_MS, it never loses one.
//
// Several events go in one statement (one round trip), appended in the order given: the
// function runs once per row of the unnest, in its order.
const APPEND_SQL = `
  SELECT a.id, a.seq::text AS seq,
         pg_notify('${EVENTS_NOTIFY_CHANNEL}', coalesce(e.tenant::text, '${PLATFORM_CHANNEL_SCOPE}')) AS notified
    FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::uuid[], $6::text[],
                $7::text[], $8::text[], $9::text[]) WITH ORDINALITY
         AS e (tenant, type, payload, kind, actor, request, ip, agent, trace, n)
   CROSS JOIN LATERAL events.append_event(e.tenant, e.type, e.payload, e.kind, e.actor,
                                          e.request, e.ip, e.agent, e.trace) a
   ORDER BY e.n`;

/** A W3C traceparent as the journal's CHECK accepts it. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** An event checked and bound to the request context it was prepared in, for appendEvents. */
export interface PreparedEvent {
  readonly tenantId: string | null;
  /** append_event's arguments after the tenant. */
  readonly columns: readonly [
    type: string,
    payload: string,
    actorKind: string | null,
    actorId: string | null,
    requestId: string | null,
    ip: string | null,
    userAgent: string | null,
    traceparent: string | null,
  ];
}

/**
 * Appends a domain event to the journal in the caller's transaction (the transactional
 * outbox): it is committed with the rows it describes or not at all, and the relay publishes
 * it later. Request id, IP and user agent come from the request context; the active trace
 * (when tracing is on) is kept too, so webhook deliveries of the event continue it.
 */
export async function appendEvent(manager: EntityManager, event: NewEvent): Promise<AppendedEvent> {
  const [appended] = await appendEvents(manager, [prepareEvent(event)]);
  return appended!;
}

/**
 * Checks an event and takes what the journal keeps of the current request context and trace
 * (as appendEvent does), so events prepared in several contexts can be appended together.
 */
export function prepareEvent(event: NewEvent): PreparedEvent {
  const context = currentContext();
  const tenantId = event.tenantId === undefined ? (context?.tenantId ?? null) : event.tenantId;
  const actor = event.actor === undefined ? (context?.principal ?? null) : event.actor;

  validateType(event.type);
  if (tenantId !== null && (!UUID.test(tenantId) || tenantId === PLATFORM_SCOPE))
    throw new ValidationError('Event tenant id must be a tenant uuid', { field: 'tenantId' });
  validateActor(actor);
  const payload = serializePayload(event.payload);
  const { traceparent } = traceCarrier();
  return {
    tenantId,
    columns: [
      event.type,
      payload,
      actor?.kind ?? null,
      actor?.id ?? null,
      context?.requestId ?? null,
      context?.ip ?? null,
      context?.userAgent ?? null,
      traceparent && TRACEPARENT.test(traceparent) ? traceparent : null,
    ],
  };
}

/**
 * Appends prepared events in the caller's transaction, in one statement, in the order given
 * (their seqs follow it). Same guarantees as appendEvent, one round trip for all of them.
 */
export async function appendEvents(
  manager: EntityManager,
  events: readonly PreparedEvent[],
): Promise<AppendedEvent[]> {
  requireTransaction(manager);
  if (events.length === 0) return [];
  const columns = [
    events.map((event) => event.tenantId),
    ...events[0]!.columns.map((_, index) => events.map((event) => event.columns[index])),
  ];
  try {
    const rows = await manager.query<AppendedEvent[]>(APPEND_SQL, columns);
    if (rows.length !== events.length) throw new Error('appendEvent: the insert returned no row');
    return rows.map((row) => ({ id: row.id, seq: row.seq }));
  } catch (error) {
    throw outOfScope(error, events) ?? error;
  }
}

/** What the journal entry of {@link writeWithEvent} takes from the written row. */
export interface WrittenEventFields {
  /**
   * Payload fields whose values are only known once the statement ran (a value it replaced,
   * say): payload key → column of the statement's RETURNING. They are added to the prepared
   * payload, replacing a key of the same name.
   */
  payloadFromRow?: Readonly<Record<string, string>>;
}

const PAYLOAD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const COLUMN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Runs `statement`, a data-modifying statement whose RETURNING answers at most one row, and
 * appends `event` in the same statement when it answers one: the write and its journal entry
 * in one round trip, for hot paths where the payload is known before the write, or is that
 * plus columns of the written row ({@link WrittenEventFields}). Same guarantees as
 * appendEvent. Answers the statement's row, or null (nothing written, nothing appended). Its
 * parameters are numbered from $1; the event's follow them.
 */
export async function writeWithEvent<Row extends object>(
  manager: EntityManager,
  statement: string,
  params: readonly unknown[],
  event: PreparedEvent,
  fields: WrittenEventFields = {},
): Promise<Row | null> {
  requireTransaction(manager);
  const at = (index: number) => `$${params.length + 1 + index}`;
  const sql = `
    WITH written AS (${statement})
    SELECT written.*,
           pg_notify('${EVENTS_NOTIFY_CHANNEL}',
                     coalesce(${at(0)}::text, '${PLATFORM_CHANNEL_SCOPE}')) AS event_notified
      FROM written
     CROSS JOIN LATERAL events.append_event(${at(0)}::uuid, ${at(1)}::text,
                                            ${payloadSql(at(2), fields.payloadFromRow)},
                                            ${at(3)}::text, ${at(4)}::uuid, ${at(5)}::text,
                                            ${at(6)}::text, ${at(7)}::text, ${at(8)}::text) a`;
  let rows: (Row & { event_notified?: unknown })[];
  try {
    rows = await manager.query(sql, [...params, event.tenantId, ...event.columns]);
  } catch (error) {
    throw outOfScope(error, [event]) ?? error;
  }
  // Each row appended an event: failing here rolls the transaction back, events and all.
  if (rows.length > 1) throw new Error('writeWithEvent: the statement wrote more than one row');
  const row = rows[0];
  if (!row) return null;
  delete row.event_notified;
  return row;
}

/** The prepared payload, with the written row's columns added under their keys. */
function payloadSql(parameter: string, fromRow: WrittenEventFields['payloadFromRow']): string {
  const entries = Object.entries(fromRow ?? {});
  if (entries.length === 0) return `${parameter}::jsonb`;
  const pairs = entries.map(([key, column]) => {
    // Both are written into the SQL: only the shapes of constants are accepted.
    if (!PAYLOAD_KEY.test(key) || !COLUMN.test(column)) {
      throw new Error(
        `writeWithEvent: payload field ${JSON.stringify(key)} from column ` +
          `${JSON.stringify(column)}: both must be plain names`,
      );
    }
    return `'${key}', written.${column}`;
  });
  return `${parameter}::jsonb || jsonb_build_object(${pairs.join(', ')})`;
}

function requireTransaction(manager: EntityManager): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      'appendEvent must run inside the transaction that writes the rows the event describes ' +
        '(pass the manager a Scope hands to run or read)',
    );
  }
}

/** An event's scope is not the transaction's (append_event refuses it): said plainly. */
function outOfScope(error: unknown, events: readonly PreparedEvent[]): Error | undefined {
  if ((error as { code?: unknown }).code !== '42501') return undefined;
  const tenantIds = [...new Set(events.map((event) => event.tenantId))];
  const scopes = tenantIds.map((id) => (id === null ? 'the platform' : `tenant ${id}`));
  return new Error(
    `appendEvent: an event for ${scopes.join(' or ')} ` +
      `cannot be written in this transaction's tenant scope`,
    { cause: error },
  );
}

function validateType(type: unknown): asserts type is EventType {
  if (typeof type !== 'string' || type.length > 128 || !EVENT_TYPE_PATTERN.test(type))
    throw new ValidationError('Event type must look like "owner.entity.action"', {
      field: 'type',
    });
  if (!isEventType(type))
    throw new ValidationError(`Unknown event type "${type}": add it to EventType`, {
      field: 'type',
    });
}

function validateActor(actor: EventActor | null): void {
  if (actor === null) return;
  if (!ACTOR_KINDS.includes(actor.kind))
    throw new ValidationError('Event actor kind must be user, apiKey or system', {
      field: 'actor',
    });
  if (actor.id === null ? actor.kind !== 'system' : !UUID.test(actor.id))
    throw new ValidationError('Event actor id must be a uuid', { field: 'actor' });
}

function serializePayload(payload: Record<string, unknown>): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new ValidationError('Event payload must be an object', { field: 'payload' });
  let hasNul = false;
  const json = JSON.stringify(payload, (key, value: unknown) => {
    // jsonb cannot store U+0000; refuse it here with a clear error instead of a SQL one.
    if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000')))
      hasNul = true;
    return value;
  });
  if (hasNul)
    throw new ValidationError('Event payload contains a NUL character', { field: 'payload' });
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_EVENT_PAYLOAD_BYTES)
    throw new ValidationError(`Event payload exceeds ${MAX_EVENT_PAYLOAD_BYTES} bytes`, {
      field: 'payload',
      bytes,
      limitBytes: MAX_EVENT_PAYLOAD_BYTES,
    });
  return json;
}
