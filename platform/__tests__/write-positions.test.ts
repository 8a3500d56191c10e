import { tenantScope } from '../db/scope';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { anonymousContext, runWithContext, type RequestContext } from '../context/request-context';

import { recordWritePositions, WritePositions } from '../db/write-positions';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';

// Read-your-writes with a read replica: the primary's transactions record each caller's write
// position in Redis (real PostgreSQL as the assets role, real Redis; no replica needed here).

const tenantId = randomUUID();
const reader: RequestContext = {
  ...anonymousContext('write-positions-test'),
  tenantId,
  principal: { kind: 'user', id: randomUUID() },
};
let db: TestDatabase;
let redis: Redis;
const prefix = testRedisPrefix();

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await cleanupRedisPrefix(prefix);
  redis?.disconnect();
  await db?.drop();
});

describe('write positions', () => {
  it("records a caller's position after a write it committed, not after a read", async () => {
    const source = await connectAs(db, 'assets');
    const positions = new WritePositions(redis, prefix, 60_000);
    recordWritePositions(source, positions, pino({ level: 'silent' }));
    const writer = { ...reader, principal: { kind: 'apiKey' as const, id: randomUUID() } };
    const key = `apiKey:${writer.principal.id}`;
    try {
      await runWithContext(writer, () =>
        tenantScope(source, tenantId).run((manager) => manager.query('SELECT 1')),
      );
      expect(await positions.newest(key)).toBeNull();

      await runWithContext(writer, () =>
        tenantScope(source, tenantId).run((manager) =>
          manager.query(
            `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
             VALUES ($1, 'w.bin', 'application/octet-stream', 1, $2)`,
            [tenantId, randomUUID()],
          ),
        ),
      );
      const recorded = await positions.newest(key);
      const [now] = await db.query<{ lsn: string }>(
        `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`,
      );
      expect(recorded).not.toBeNull();
      expect(recorded! <= BigInt(now!.lsn)).toBe(true);
      // An older position never replaces a newer one (writes of one caller may race).
      await positions.record(key, 1n);
      expect(await positions.newest(key)).toBe(recorded);
    } finally {
      await source.destroy();
    }
  });

  it('spends no round trip on a read-only scope', async () => {
    const source = await connectAs(db, 'assets');
    recordWritePositions(
      source,
      new WritePositions(redis, prefix, 60_000),
      pino({ level: 'silent' }),
    );
    const sent = jest.spyOn(Client.prototype, 'query');
    try {
      await runWithContext(reader, () =>
        tenantScope(source, tenantId).lookup((manager) => manager.query('SELECT $1::int', [1])),
      );
      expect(sent).toHaveBeenCalledTimes(1);
    } finally {
      sent.mockRestore();
      await source.destroy();
    }
  });

  it('lets a committed write stand when Redis cannot take its position', async () => {
    const source = await connectAs(db, 'assets');
    const deadRedis = unreachableRedis({ lazyConnect: true });
    recordWritePositions(
      source,
      new WritePositions(deadRedis, prefix, 1_000),
      pino({ level: 'silent' }),
    );
    const name = `kept-${randomUUID()}`;
    try {
      await runWithContext(reader, () =>
        tenantScope(source, tenantId).run((manager) =>
          manager.query(
            `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
             VALUES ($1, $2, 'application/octet-stream', 1, $3)`,
            [tenantId, name, randomUUID()],
          ),
        ),
      );
      expect(await db.query('SELECT 1 FROM assets.assets WHERE name = $1', [name])).toHaveLength(1);
    } finally {
      dropRedis(deadRedis);
      await source.destroy();
    }
  });
});
