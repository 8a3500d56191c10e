import { redisKey } from '../redis/connection';
import type { ActorKind } from './append-event';

/**
 * The PostgreSQL NOTIFY channel appendEvent signals on (payload: the tenant id, or
 * `platform`). It only wakes the relay early; the journal table is the source of truth.
 */
export const EVENTS_NOTIFY_CHANNEL = 'tessera_events';

/** The scope name of platform-level events (no tenant) in channel names and notifications. */
export const PLATFORM_CHANNEL_SCOPE = 'platform';

/**
 * The Redis pub/sub channel a scope's committed events are published on:
 * `<REDIS_PREFIX>:events:<tenant uuid>`, or `<REDIS_PREFIX>:events:platform` for platform
 * events. One channel per tenant, so a gateway pod subscribes only to the tenants its clients
 * watch.
 */
export function eventChannel(prefix: string, tenantId: string | null): string {
  // PostgreSQL prints uuids in lower case; a tenant id typed in upper case is the same tenant.
  return redisKey(prefix, 'events', tenantId?.toLowerCase() ?? PLATFORM_CHANNEL_SCOPE);
}

/**
 * One published event, as JSON on its channel. Delivery is at least once: the relay
 * publishes, then marks the event published, so a relay that dies in between (or loses its
 * lock while publishing) has it published again by the next one. Within a channel messages
 * arrive in seq order, apart from such repeats; a subscriber keeps the last seq it delivered
 * per tenant and drops any message whose seq is not greater (compare as BigInt, not as text).
 */
export interface PublishedEvent {
  id: string;
  /** null for platform events. */
  tenantId: string | null;
  /** Per-tenant, gap-free and in commit order; a bigint, so a decimal string. */
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actor: { kind: ActorKind; id: string | null } | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** ISO-8601, UTC: when the transaction that wrote it started. */
  occurredAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ = /^[1-9][0-9]{0,18}$/;
const nullableString = (value: unknown) => value === null || typeof value === 'string';

/**
 * Reads a channel message back, or returns null when it is not a well-formed event (a
 * subscriber should log and skip it rather than crash on one bad message).
 */
export function parsePublishedEvent(message: string): PublishedEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Record<string, unknown>;
  const actor = event.actor as Record<string, unknown> | null | undefined;
  const valid =
    typeof event.id === 'string' &&
    UUID.test(event.id) &&
    (event.tenantId === null ||
      (typeof event.tenantId === 'string' && UUID.test(event.tenantId))) &&
    typeof event.seq === 'string' &&
    SEQ.test(event.seq) &&
    typeof event.type === 'string' &&
    typeof event.payload === 'object' &&
    event.payload !== null &&
    !Array.isArray(event.payload) &&
    (actor === null ||
      (typeof actor === 'object' && typeof actor.kind === 'string' && nullableString(actor.id))) &&
    nullableString(event.requestId) &&
    nullableString(event.ip) &&
    nullableString(event.userAgent) &&
    typeof event.occurredAt === 'string';
  return valid ? (event as unknown as PublishedEvent) : null;
}
