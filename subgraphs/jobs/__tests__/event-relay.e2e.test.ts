import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { anonymousContext, runWithContext } from '../../../platform/context/request-context';
import { tenantScope } from '../../../platform/db/scope';
import { appendEvent, PLATFORM_SCOPE } from '../../../platform/events/append-event';
import {
  eventChannel,
  parsePublishedEvent,
  type PublishedEvent,
} from '../../../platform/events/channel';
import { EventType } from '../../../platform/events/event-types';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { metricValue, scrape } from '../../../testing/graphql-client';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { spawnService, type ServiceProcess } from '../../../scripts/lib/service-process';
import { startEventRelay, type EventRelay } from '../relay/event-relay';
import { RelayRepository } from '../repositories/relay.repository';

// The outbox relay against the real PostgreSQL and Redis: writers append as a service's role
// (assets', no BYPASSRLS) inside their transactions, relays run as the worker's role, here or
// in worker processes, and a plain Redis subscriber checks what reaches each tenant's channel.

const WRITERS = 10;
const APPENDS_PER_WRITER = 50;

let db: TestDatabase;
let app: DataSource;
const prefix = testRedisPrefix();
const subscriber = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
/** Every message the subscriber got, by channel, in arrival order. */
const received = new Map<string, PublishedEvent[]>();

interface TestRelay {
  relay: EventRelay;
  registry: Registry;
  publisher: Redis;
}
const relays: TestRelay[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'assets', { poolMax: WRITERS + 4, name: 'event-relay-test' });
  subscriber.on('pmessage', (_pattern, channel: string, message: string) => {
    const event = parsePublishedEvent(message);
    if (!event) throw new Error(`malformed message on ${channel}: ${message}`);
    received.set(channel, [...(received.get(channel) ?? []), event]);
  });
  await subscriber.psubscribe(`${prefix}:events:*`);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map(stopRelay));
});

afterAll(async () => {
  subscriber.disconnect();
  await app?.destroy();
  await db?.drop();
  await cleanupRedisPrefix(prefix);
});

function startRelay(
  options: { pollMs?: number; lockRetryMs?: number; publisher?: Redis; batchSize?: number } = {},
): TestRelay {
  const registry = new Registry();
  const publisher = options.publisher ?? new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const relay = startEventRelay({
    databaseUrl: db.urlAs('worker'),
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 10_000,
    redis: publisher,
    redisPrefix: prefix,
    logger: pino({ level: 'silent' }),
    registry,
    pollMs: options.pollMs ?? 100,
    batchSize: options.batchSize ?? 100,
    lockRetryMs: options.lockRetryMs ?? 100,
  });
  const started = { relay, registry, publisher };
  relays.push(started);
  return started;
}

async function stopRelay(started: TestRelay): Promise<void> {
  await started.relay.stop();
  started.publisher.disconnect();
}

async function metric(started: TestRelay, name: string): Promise<number> {
  return metricValue(await started.registry.metrics(), name);
}

const channelOf = (tenantId: string | null) => eventChannel(prefix, tenantId);
const receivedBy = (tenantId: string | null) => received.get(channelOf(tenantId)) ?? [];
const seqsOf = (tenantId: string | null) => receivedBy(tenantId).map((event) => Number(event.seq));
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** Appends one event per payload, in one transaction of `tenantId` (null: the platform). */
function append(tenantId: string | null, ...payloads: Record<string, unknown>[]) {
  const write = async (manager: EntityManager) => {
    for (const payload of payloads) {
      await appendEvent(manager, { type: EventType.ASSET_CREATED, payload, tenantId });
    }
  };
  return tenantId === null ? app.transaction(write) : tenantScope(app, tenantId).run(write);
}

/**
 * What a subscriber keeps: each seq once, dropping any not above the last one delivered. The
 * stream must never skip a seq: every message is a repeat or exactly the next one.
 */
function deliveredInOrder(events: readonly PublishedEvent[]): number[] {
  const delivered: number[] = [];
  for (const event of events) {
    const seq = Number(event.seq);
    const last = delivered[delivered.length - 1] ?? 0;
    if (seq <= last) continue;
    if (seq !== last + 1) throw new Error(`gap: seq ${seq} arrived after ${last}`);
    delivered.push(seq);
  }
  return delivered;
}

describe('publishing', () => {
  it("publishes committed events to the tenant's channel in seq order, then marks them", async () => {
    const started = startRelay();
    const tenant = randomUUID();
    const userId = randomUUID();
    await runWithContext(
      {
        ...anonymousContext('req-relay-1'),
        tenantId: tenant,
        principal: { kind: 'user', id: userId },
        ip: '203.0.113.9',
        userAgent: 'jest',
      },
      async () => {
        await append(tenant, { n: 1 });
        await append(tenant, { n: 2 }, { n: 3 }, { n: 4 });
        await append(tenant, { n: 5 });
      },
    );

    await eventually(() => receivedBy(tenant).length >= 5);
    expect(seqsOf(tenant)).toEqual(range(1, 5));
    const rows = await db.query<{ id: string; occurred_at: Date; published: boolean }>(
      `SELECT id, occurred_at, published_at IS NOT NULL AS published
         FROM events.events WHERE tenant_id = $1 ORDER BY seq`,
      [tenant],
    );
    expect(receivedBy(tenant)[0]).toEqual({
      id: rows[0]!.id,
      tenantId: tenant,
      seq: '1',
      type: 'assets.asset.created',
      payload: { n: 1 },
      actor: { kind: 'user', id: userId },
      requestId: 'req-relay-1',
      ip: '203.0.113.9',
      userAgent: 'jest',
      occurredAt: rows[0]!.occurred_at.toISOString(),
    });
    expect(receivedBy(tenant).map((event) => event.payload)).toEqual(
      range(1, 5).map((n) => ({ n })),
    );
    await eventually(async () => {
      const marked = await db.query(
        `SELECT 1 FROM events.events WHERE tenant_id = $1 AND published_at IS NOT NULL`,
        [tenant],
      );
      return marked.length === 5;
    });
    expect(await metric(started, 'tessera_relay_active')).toBe(1);
    expect(await metric(started, 'tessera_relay_events_published_total')).toBeGreaterThanOrEqual(5);
    await eventually(async () => (await metric(started, 'tessera_relay_lag_seconds')) === 0);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    startRelay();
    const tenant = randomUUID();
    await expect(
      tenantScope(app, tenant).run(async (manager) => {
        await appendEvent(manager, {
          type: EventType.ASSET_DELETED,
          payload: { rolledBack: true },
          tenantId: tenant,
        });
        throw new Error('the mutation failed after appending');
      }),
    ).rejects.toThrow('the mutation failed after appending');
    await append(tenant, { marker: true });

    // A second marker is published after anything committed before it would have been.
    await append(tenant, { marker: 'second' });
    await eventually(() => receivedBy(tenant).length >= 2);
    expect(receivedBy(tenant).map((event) => [event.seq, event.payload])).toEqual([
      ['1', { marker: true }],
      ['2', { marker: 'second' }],
    ]);
  });

  it('publishes platform events (no tenant) on the platform channel', async () => {
    startRelay();
    await append(null, { platform: 'first' }, { platform: 'second' });
    await eventually(() => receivedBy(null).length >= 2);
    expect(channelOf(null)).toBe(`${prefix}:events:platform`);
    const [first, second] = receivedBy(null).slice(-2);
    expect([first?.tenantId, first?.payload, second?.payload]).toEqual([
      null,
      { platform: 'first' },
      { platform: 'second' },
    ]);
    expect(Number(second?.seq)).toBe(Number(first?.seq) + 1);
  });

  it('is woken by NOTIFY at commit, without waiting for its poll', async () => {
    // A poll this slow never fires during the test: only the notification can wake it.
    const started = startRelay({ pollMs: 600_000 });
    await eventually(async () => (await metric(started, 'tessera_relay_active')) === 1);
    await eventually(async () => {
      const waiting = await db.query(`SELECT 1 FROM events.events WHERE published_at IS NULL`);
      return waiting.length === 0;
    });
    const tenant = randomUUID();
    for (let n = 1; n <= 3; n += 1) {
      await append(tenant, { n });
      await eventually(() => receivedBy(tenant).length === n);
    }
    expect(seqsOf(tenant)).toEqual([1, 2, 3]);
  });

  it('asks for unpublished events once per wake-up when the batch held everything waiting', async () => {
    // Committed before the relay listens: its first drain publishes it, and no NOTIFY of it
    // can wake the relay again later.
    const warmUp = randomUUID();
    await append(warmUp, { n: 0 });
    // No poll fires during the test: each query after the first drain follows a NOTIFY.
    startRelay({ pollMs: 600_000 });
    await eventually(async () => {
      const waiting = await db.query(
        `SELECT 1 FROM events.events WHERE tenant_id = $1 AND published_at IS NULL`,
        [warmUp],
      );
      return receivedBy(warmUp).length === 1 && waiting.length === 0;
    });
    const asked = jest.spyOn(RelayRepository.prototype, 'unpublished');
    try {
      const [first, second] = [randomUUID(), randomUUID()];
      await append(first, { n: 1 });
      await eventually(() => receivedBy(first).length === 1);
      // The first wake-up's drain has ended before the second one starts.
      await append(second, { n: 2 });
      await eventually(() => receivedBy(second).length === 1);
      expect(asked).toHaveBeenCalledTimes(2);
    } finally {
      asked.mockRestore();
    }
  });

  it('drains batch after batch while a scope may have more than its share, without a poll', async () => {
    const [busy, quiet] = [randomUUID(), randomUUID()];
    // Committed before the relay starts: its first drain finds them, with no NOTIFY after.
    await append(busy, ...range(1, 25).map((n) => ({ n })));
    await append(quiet, { n: 1 });
    await append(null, { shared: 'with the platform' });
    startRelay({ pollMs: 600_000, batchSize: 10 });
    await eventually(() => receivedBy(busy).length === 25 && receivedBy(quiet).length === 1);
    expect(seqsOf(busy)).toEqual(range(1, 25));
    await eventually(() =>
      receivedBy(null).some((event) => event.payload.shared === 'with the platform'),
    );
  });

  it('still delivers, by polling, an event committed without a notification', async () => {
    startRelay({ pollMs: 100 });
    const tenant = randomUUID();
    // As the owner, bypassing appendEvent: no pg_notify is sent.
    await db.query(
      `WITH next AS (
         INSERT INTO events.sequences (scope, last_seq) VALUES ($1, 1)
         ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
         RETURNING last_seq)
       INSERT INTO events.events (tenant_id, seq, type, payload)
       SELECT $1, last_seq, 'assets.asset.created', '{"silent":true}' FROM next`,
      [tenant],
    );
    await eventually(() => receivedBy(tenant).length >= 1);
    expect(receivedBy(tenant).map((event) => [event.seq, event.payload])).toEqual([
      ['1', { silent: true }],
    ]);
  });

  it('reports, when scraped, the age of the oldest event it could not publish, then 0 once published', async () => {
    // A publisher that was never connected and queues nothing: every PUBLISH fails at once.
    const unreachable = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    const stuck = startRelay({ publisher: unreachable });
    await eventually(() => stuck.relay.active);
    const tenant = randomUUID();
    await append(tenant, { n: 1 });
    // Each scrape reads the lag afresh: it grows while the event waits.
    const first = await metric(stuck, 'tessera_relay_lag_seconds');
    expect(first).toBeGreaterThan(0);
    await eventually(async () => (await metric(stuck, 'tessera_relay_lag_seconds')) > first);
    expect(receivedBy(tenant)).toEqual([]);

    // A relay that can publish takes over: the event goes out and the lag is 0 again.
    await stopRelay(relays.splice(relays.indexOf(stuck), 1)[0]!);
    const healthy = startRelay();
    await eventually(() => receivedBy(tenant).length === 1);
    await eventually(async () => (await metric(healthy, 'tessera_relay_lag_seconds')) === 0);
    // A stopped relay (no session) reports 0.
    expect(await metric(stuck, 'tessera_relay_lag_seconds')).toBe(0);
  });

  it('names channels by the lower-case tenant id, platform events apart', () => {
    expect(channelOf(PLATFORM_SCOPE)).not.toBe(channelOf(null));
    expect(channelOf('0B6F8C1E-4A57-4C84-9D1E-3C1A2F9B7E10')).toBe(
      `${prefix}:events:0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10`,
    );
  });
});

describe('concurrent writers', () => {
  it(`delivers ${WRITERS} writers × ${APPENDS_PER_WRITER} appends per tenant as seqs 1..N, in order, without gaps`, async () => {
    startRelay();
    const [busy, other] = [randomUUID(), randomUUID()];
    const writer = (tenant: string, id: number) => async () => {
      for (let n = 0; n < APPENDS_PER_WRITER; n += 1) await append(tenant, { writer: id, n });
    };
    await Promise.all([
      ...range(1, WRITERS).map((id) => writer(busy, id)()),
      ...range(1, 3).map((id) => writer(other, id)()),
    ]);

    const total = WRITERS * APPENDS_PER_WRITER;
    await eventually(() => seqsOf(busy).includes(total) && seqsOf(other).includes(150));
    // One relay that never died: not even a repeat.
    expect(seqsOf(busy)).toEqual(range(1, total));
    expect(seqsOf(other)).toEqual(range(1, 150));
    // Each writer's own events keep their order too (seq order is commit order).
    const byWriter = (id: number) =>
      receivedBy(busy)
        .filter((event) => event.payload.writer === id)
        .map((event) => event.payload.n);
    expect(byWriter(1)).toEqual(range(0, APPENDS_PER_WRITER - 1));
  });
});

describe('one active relay', () => {
  /** The PostgreSQL backend holding the relay lock in this database. */
  async function lockHolderPid(): Promise<number | undefined> {
    const [row] = await db.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
    );
    return row?.pid;
  }

  it('publishes through one relay of two, and the standby takes over when the holder’s connection dies', async () => {
    // After losing its session the first waits 2 s before trying again, the second only
    // 100 ms: the second is the one to take over.
    const first = startRelay({ lockRetryMs: 2_000 });
    await eventually(() => first.relay.active);
    const second = startRelay();
    // Several lock attempts of the second relay go by, each refused.
    await eventually(async () => (await metric(second, 'tessera_relay_lock_attempts_total')) >= 3);
    expect([first.relay.active, second.relay.active]).toEqual([true, false]);
    expect(await metric(second, 'tessera_relay_active')).toBe(0);

    const tenant = randomUUID();
    for (let n = 1; n <= 20; n += 1) await append(tenant, { n });
    await eventually(() => receivedBy(tenant).length >= 20);
    expect(await metric(second, 'tessera_relay_events_published_total')).toBe(0);

    // The holder's session ends (as when its pod is cut off): its lock goes with it.
    const holder = await lockHolderPid();
    await db.query(`SELECT pg_terminate_backend($1)`, [holder]);
    await eventually(() => second.relay.active);
    for (let n = 21; n <= 40; n += 1) await append(tenant, { n });

    await eventually(() => seqsOf(tenant).includes(40));
    expect(deliveredInOrder(receivedBy(tenant))).toEqual(range(1, 40));
    // The first relay reconnects and stands by: still exactly one holder.
    expect(await metric(first, 'tessera_relay_active')).toBe(0);
    const firstAttempts = await metric(first, 'tessera_relay_lock_attempts_total');
    await eventually(
      async () => (await metric(first, 'tessera_relay_lock_attempts_total')) >= firstAttempts + 1,
    );
    expect([first.relay.active, second.relay.active]).toEqual([false, true]);
    expect(await metric(second, 'tessera_relay_events_published_total')).toBeGreaterThanOrEqual(20);
  });

  it('loses nothing when the holding worker process is killed mid-stream', async () => {
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATABASE_URL: db.urlAs('worker'),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      RELAY_POLL_MS: '200',
      RELAY_LOCK_RETRY_MS: '200',
    };
    const workers: ServiceProcess[] = [];
    try {
      workers.push(await spawnService('worker', { env }), await spawnService('worker', { env }));
      const active = async (worker: ServiceProcess) =>
        metricValue(await scrape(worker.url), 'tessera_relay_active');
      let holder: ServiceProcess | undefined;
      await eventually(async () => {
        const states = await Promise.all(workers.map(active));
        holder = workers[states.indexOf(1)];
        return states.filter((state) => state === 1).length === 1;
      });
      const standby = workers.find((worker) => worker !== holder)!;

      const tenant = randomUUID();
      const perWriter = 60;
      const writers = 5;
      const afterKill = 100;
      const total = perWriter * writers + afterKill;
      const writing = Promise.all(
        range(1, writers).map(async (id) => {
          for (let n = 0; n < perWriter; n += 1) await append(tenant, { writer: id, n });
        }),
      );
      await eventually(() => receivedBy(tenant).length >= 100);
      // While the writers are still at it; and more come after, which only the standby can
      // deliver.
      await holder!.stop('SIGKILL');
      await writing;
      for (let n = 0; n < afterKill; n += 1) await append(tenant, { afterKill: n });

      await eventually(async () => (await active(standby)) === 1);
      await eventually(() => seqsOf(tenant).includes(total));
      // Repeats are allowed (the killed holder may have published without marking), gaps not.
      expect(deliveredInOrder(receivedBy(tenant))).toEqual(range(1, total));
      // The relay marks a batch published after sending it, so the last marks may trail the
      // last messages received.
      const unpublished = () =>
        db.query<{ seq: string }>(
          `SELECT seq::text FROM events.events WHERE tenant_id = $1 AND published_at IS NULL`,
          [tenant],
        );
      await eventually(async () => (await unpublished()).length === 0).catch(() => undefined);
      expect(await unpublished()).toEqual([]);
    } finally {
      for (const worker of workers) await worker.stop();
    }
  }, 120_000);
});
