import { randomBytes, randomUUID } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../platform/config/encryption';
import { parseConfig } from '../../platform/config/load';
import { KeyRing } from '../../platform/crypto/key-ring';
import { EVENTS_NOTIFY_CHANNEL } from '../../platform/events/channel';
import type { TestStack } from '../../testing/stack';
import type { WebhookReceiver } from '../../testing/webhook-receiver';
import { startSubscribers, type SubscriberCounts, type SubscribersBehind } from './subscribers';
import type { Writer } from './writers';

export interface BackgroundTraffic {
  /** Webhook deliveries that reached the receiver so far. */
  delivered(): number;
  /** What the live subscriptions received so far. */
  subscribers(): Promise<SubscriberCounts>;
  /** The journal's newest seq of each subscribed tenant now, as text. */
  newestSeqs(): Promise<Record<string, string>>;
  /** How far the subscriptions are behind `newest` (from {@link newestSeqs}). */
  behind(newest: Record<string, string>): Promise<SubscribersBehind>;
  stop(): Promise<void>;
}

/**
 * What runs beside the API in production: live `events` subscriptions over graphql-ws on the
 * writers' tenants (so every write is fanned out to them), held by a process of their own as
 * users' browsers would be (see subscribers-main.ts), an active webhook endpoint on each
 * of those tenants (every write is delivered, signed, and logged by the worker), and a backlog
 * of journal events of another tenant keeping the worker busy throughout.
 */
export async function startBackgroundTraffic(
  stack: TestStack,
  receiver: WebhookReceiver,
  writers: readonly Writer[],
  options: { subscriptions: number; backlog: number },
): Promise<BackgroundTraffic> {
  const sharedTenants = [...new Set(writers.map((writer) => writer.sharedTenantId))];
  const backlogTenant = randomUUID();
  await addActiveEndpoints(stack, receiver, [...sharedTenants, backlogTenant]);

  const subscribers = startSubscribers(
    stack.gatewayUrl,
    Array.from({ length: options.subscriptions }, (_, index) => {
      const writer = writers[index % writers.length]!;
      return { accessToken: writer.user.accessToken, tenantId: writer.sharedTenantId };
    }),
  );
  const stop = () => subscribers.stop();
  try {
    // The backlog's events, appended as appendEvent does, then one wake-up for the relay.
    await stack.db.query(
      `WITH next AS (
         INSERT INTO events.sequences (scope, last_seq) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + $2
         RETURNING last_seq)
       INSERT INTO events.events (tenant_id, seq, type, payload)
       SELECT $1, next.last_seq - $2 + n, 'tenancy.tenant.updated', jsonb_build_object('n', n)
         FROM next, generate_series(1, $2::int) AS n`,
      [backlogTenant, options.backlog],
    );
    await stack.db.query(`SELECT pg_notify($1, $2)`, [EVENTS_NOTIFY_CHANNEL, backlogTenant]);
    return {
      delivered: () => receiver.received.length,
      subscribers: () => subscribers.counts(),
      async newestSeqs() {
        const rows = await stack.db.query<{ tenant: string; seq: string }>(
          `SELECT tenant_id::text AS tenant, max(seq)::text AS seq FROM events.events
            WHERE tenant_id = ANY($1::uuid[]) GROUP BY tenant_id`,
          [sharedTenants],
        );
        return Object.fromEntries(rows.map((row) => [row.tenant, row.seq]));
      },
      behind: (newest) => subscribers.behind(newest),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function addActiveEndpoints(
  stack: TestStack,
  receiver: WebhookReceiver,
  tenantIds: readonly string[],
): Promise<void> {
  const ring = KeyRing.fromConfig(
    parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
  );
  for (const tenantId of tenantIds) {
    const endpointId = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await stack.db.query(
      `INSERT INTO jobs.webhook_endpoints
         (id, tenant_id, url, event_types, status, verified_at, secret_ciphertext, created_at)
       VALUES ($1, $2, $3, '{*}', 'ACTIVE', now(), $4, now() - interval '1 minute')`,
      [endpointId, tenantId, `${receiver.origin}/deliveries`, ring.encrypt(secret, endpointId)],
    );
  }
}
