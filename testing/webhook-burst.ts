import { randomBytes, randomUUID } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../platform/config/encryption';
import { parseConfig } from '../platform/config/load';
import { KeyRing } from '../platform/crypto/key-ring';
import { EVENTS_NOTIFY_CHANNEL } from '../platform/events/channel';
import { spawnService, type ServiceProcess } from '../scripts/lib/service-process';
import type { TestDatabase } from './database';
import { TEST_REDIS_URL } from './services';

export const BURST_EVENT_TYPE = 'tenancy.tenant.updated';

const ring = KeyRing.fromConfig(
  parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
);

/**
 * An ACTIVE endpoint for every event type of `tenantId` at `url`, written straight into the
 * jobs schema as a verified one would be (its secret encrypted with the development key ring),
 * for tests and benchmarks of the worker alone. Returns its id.
 */
export async function insertActiveEndpoint(
  db: TestDatabase,
  tenantId: string,
  url: string,
): Promise<string> {
  const endpointId = randomUUID();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  await db.query(
    `INSERT INTO jobs.webhook_endpoints
       (id, tenant_id, url, event_types, status, verified_at, secret_ciphertext, created_at)
     VALUES ($1, $2, $3, '{*}', 'ACTIVE', now(), $4, now() - interval '1 minute')`,
    [endpointId, tenantId, url, ring.encrypt(secret, endpointId)],
  );
  return endpointId;
}

/**
 * Appends `count` events to each tenant's journal as appendEvent does (through the tenant's
 * sequence counter), in one statement, then wakes the relay once.
 */
export async function appendBurst(
  db: TestDatabase,
  tenantIds: readonly string[],
  count: number,
): Promise<void> {
  await db.query(
    `WITH next AS (
       INSERT INTO events.sequences (scope, last_seq)
       SELECT tenant, $2::bigint FROM unnest($1::uuid[]) AS tenant
       ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + $2
       RETURNING scope, last_seq)
     INSERT INTO events.events (tenant_id, seq, type, payload)
     SELECT next.scope::uuid, next.last_seq - $2 + n, $3, jsonb_build_object('n', n)
       FROM next, generate_series(1, $2::int) AS n
      ORDER BY n, next.scope`,
    [tenantIds, count, BURST_EVENT_TYPE],
  );
  await db.query(`SELECT pg_notify($1, $2)`, [EVENTS_NOTIFY_CHANNEL, tenantIds[0] ?? '']);
}

/** A worker process (relay and deliveries) on `db` and the test Redis under `prefix`. */
export function spawnDeliveryWorker(
  db: TestDatabase,
  prefix: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
  execArgv: string[] = [],
): Promise<ServiceProcess> {
  return spawnService('worker', {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      // The launcher learns the port from the 'listening' line, logged at info.
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.urlAs('worker'),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS,
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      ...env,
    },
    onLine,
    execArgv,
  });
}
