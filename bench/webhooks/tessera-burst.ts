import { randomBytes, randomUUID } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../platform/config/encryption';
import { parseConfig } from '../../platform/config/load';
import { KeyRing } from '../../platform/crypto/key-ring';
import { EVENTS_NOTIFY_CHANNEL } from '../../platform/events/channel';
import type { TestDatabase } from '../../testing/database';
import type { WebhookReceiver } from '../../testing/webhook-receiver';
import type { ServiceProcess } from '../../scripts/lib/service-process';
import { spawnDeliveryWorker } from '../../testing/webhook-burst';
import { cpuProfileArgs } from '../lib/cpu-profile';
import { busyShare, machineCpu } from '../lib/machine-cpu';
import { postgresCpuBetween, postgresCpuSnapshot } from '../lib/postgres-cpu';
import { cpuTimeMs } from '../lib/process-cpu';
import { countLossAndRepeats, round, summarize, type Burst } from './burst';
import { watchRecords } from './delivery-records';

export interface TesseraBurstOptions {
  deliveries: number;
  concurrency: number;
  warmup: number;
  /** Worker processes sharing the queue (one of them holds the relay's lock). */
  workers: number;
  /** When set, each worker writes a V8 CPU profile there as it exits. */
  cpuProfileDir?: string;
  /** The receiver holds each answer back this long (0: answers at once), as real ones do. */
  receiverDelayMs?: number;
}

export interface TesseraBurst extends Burst {
  /** From the burst's start until every attempt was in the attempt log. */
  recordedByMs: number;
}

/**
 * A burst of journal events for one endpoint of a fresh tenant, from the commit of the
 * events to the last signed POST at the receiver (relay, fan-out rows and jobs, worker: load,
 * sign, SSRF-checked POST, attempt log, status event), then a check that every attempt was
 * recorded as a 2xx and every delivery SUCCEEDED exactly once.
 */
export async function measureTessera(
  receiver: WebhookReceiver,
  db: TestDatabase,
  prefix: string,
  options: TesseraBurstOptions,
): Promise<TesseraBurst> {
  const tenantId = randomUUID();
  const endpointId = randomUUID();
  const delayMs = options.receiverDelayMs ?? 0;
  const path = `/tessera-${options.workers}-${delayMs}`;
  if (delayMs > 0) receiver.route(path, () => ({ delayMs }));
  await insertEndpoint(db, tenantId, endpointId, `${receiver.origin}${path}`);
  const workers = await Promise.all(
    Array.from({ length: options.workers }, () => startWorker(db, prefix, options)),
  );
  const records = await watchRecords(db);
  const databaseCpu = async () => {
    const snapshot = await postgresCpuSnapshot(db);
    snapshot.delete(records.pid);
    return snapshot;
  };
  try {
    const burst = async (count: number) => {
      const started = Date.now();
      const before = receiver.at(path).length;
      const ids = await appendEvents(db, tenantId, count);
      const arrived = (await receiver.waitFor(path, before + count, 300_000)).slice(before);
      return { started, before, ids, arrived };
    };
    await burst(options.warmup);
    await records.waitFor(endpointId, options.warmup);
    const pids = workers.map((worker) => worker.child.pid!);
    const cpuBefore = cpuTimeMs(pids);
    const databaseBefore = await databaseCpu();
    const machineBefore = machineCpu();
    const result = await burst(options.deliveries);
    const machineBusy = busyShare(machineBefore, machineCpu());
    const recorded = await records.waitFor(endpointId, options.warmup + options.deliveries);
    const cpuMs = cpuTimeMs(pids) - cpuBefore;
    const databaseMs = postgresCpuBetween(databaseBefore, await databaseCpu());
    return {
      ...summarize(result.arrived, result.started),
      cpuMsPerDelivery: round(cpuMs / options.deliveries),
      databaseCpuMsPerDelivery: round(databaseMs / options.deliveries),
      machineBusy: round(machineBusy),
      errors: recorded.errors,
      recordedByMs: recorded.at - result.started,
      ...countLossAndRepeats(receiver.at(path).slice(result.before), result.ids),
    };
  } finally {
    await records.close();
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

async function insertEndpoint(
  db: TestDatabase,
  tenantId: string,
  endpointId: string,
  url: string,
): Promise<void> {
  const ring = KeyRing.fromConfig(
    parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
  );
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  await db.query(
    `INSERT INTO jobs.webhook_endpoints
       (id, tenant_id, url, event_types, status, verified_at, secret_ciphertext, created_at)
     VALUES ($1, $2, $3, '{*}', 'ACTIVE', now(), $4, now() - interval '1 minute')`,
    [endpointId, tenantId, url, ring.encrypt(secret, endpointId)],
  );
}

/** As appendEvent does, through the tenant's counter, then one wake-up for the relay. */
async function appendEvents(db: TestDatabase, tenantId: string, count: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `WITH next AS (
       INSERT INTO events.sequences (scope, last_seq) VALUES ($1, $2)
       ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + $2
       RETURNING last_seq)
     INSERT INTO events.events (tenant_id, seq, type, payload)
     SELECT $1, next.last_seq - $2 + n, 'tenancy.tenant.updated', jsonb_build_object('n', n)
       FROM next, generate_series(1, $2::int) AS n
     RETURNING id`,
    [tenantId, count],
  );
  await db.query(`SELECT pg_notify($1, $2)`, [EVENTS_NOTIFY_CHANNEL, tenantId]);
  return rows.map((row) => row.id);
}

function startWorker(
  db: TestDatabase,
  prefix: string,
  options: TesseraBurstOptions,
): Promise<ServiceProcess> {
  return spawnDeliveryWorker(
    db,
    prefix,
    { DATABASE_POOL_MAX: '10', WEBHOOK_CONCURRENCY: String(options.concurrency) },
    undefined,
    cpuProfileArgs(options.cpuProfileDir),
  );
}
