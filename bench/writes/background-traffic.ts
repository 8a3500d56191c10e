import { randomBytes, randomUUID } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption, parseConfig } from '../../platform/config';
import { KeyRing } from '../../platform/crypto';
import { EVENTS_NOTIFY_CHANNEL } from '../../platform/events/channel';
import type { TestStack } from '../../platform/testing/stack';
import type { WebhookReceiver } from '../../platform/testing/webhook-receiver';
import { connectWs, type WsClient } from '../../platform/testing/ws-client';
import type { Writer } from './writers';

const EVENTS_SUBSCRIPTION = 'subscription { events { seq type } }';

export interface BackgroundTraffic {
  /** Webhook deliveries that reached the receiver so far. */
  delivered(): number;
  /** Events the live subscriptions received so far, all subscribers together. */
  received(): number;
  /** Whether every subscription has received an event of its tenant (so it is live). */
  allLive(): boolean;
  stop(): Promise<void>;
}

/**
 * What runs beside the API in production: live `events` subscriptions over graphql-ws on the
 * writers' tenants (so every write is fanned out to them), an active webhook endpoint on each
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

  const sockets: WsClient[] = [];
  let received = 0;
  const perSubscription: number[] = [];
  for (let index = 0; index < options.subscriptions; index += 1) {
    const writer = writers[index % writers.length]!;
    const socket = connectWs(stack.gatewayUrl, {
      authorization: `Bearer ${writer.user.accessToken}`,
      tenantId: writer.sharedTenantId,
    });
    sockets.push(socket);
    perSubscription.push(0);
    socket.client.subscribe(
      { query: EVENTS_SUBSCRIPTION },
      {
        next: () => {
          received += 1;
          perSubscription[index]! += 1;
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }
  const stop = async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
  };
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
      received: () => received,
      allLive: () => perSubscription.every((count) => count > 0),
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
