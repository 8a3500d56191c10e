import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { anonymousContext, runWithContext, type RequestContext } from '../context/request-context';
import { tenantScope } from '../db/scope';
import { ValidationError } from '../errors/domain-errors';
import {
  appendEvent,
  appendEvents,
  MAX_EVENT_PAYLOAD_BYTES,
  PLATFORM_SCOPE,
  prepareEvent,
  writeWithEvent,
  type NewEvent,
} from '../events/append-event';
import { EVENT_TYPE_PATTERN, EVENT_TYPES, EventType } from '../events/event-types';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';

// The journal's append side as the services use it: connected as a service's role (no
// BYPASSRLS), appending through events.append_event inside the transaction that writes the rows
// an event describes. `app` is the jobs service's role, the one that also reads the journal;
// `assets` only appends.

const CONCURRENT_APPENDERS = 20;
let db: TestDatabase;
let app: DataSource;
let assets: DataSource;

interface JournalRow {
  tenant_id: string | null;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actor_kind: string | null;
  actor_id: string | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  type: EventType.ASSET_CREATED,
  payload: { assetId: randomUUID() },
  ...overrides,
});

/** A transaction with no tenant set: the platform scope. */
const platformTransaction = <T>(fn: (manager: EntityManager) => Promise<T>) => app.transaction(fn);

/** What the owner (bypassing nothing but seeing everything) finds for one scope. */
async function journal(tenantId: string | null): Promise<JournalRow[]> {
  return db.query<JournalRow & Record<string, unknown>>(
    `SELECT tenant_id, seq::text AS seq, type, payload, actor_kind, actor_id, request_id, ip, user_agent
       FROM events.events e WHERE tenant_id IS NOT DISTINCT FROM $1::uuid ORDER BY e.seq`,
    [tenantId],
  );
}

const seqs = async (tenantId: string | null) => (await journal(tenantId)).map((row) => row.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => String(from + index));

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'jobs', {
    poolMax: CONCURRENT_APPENDERS + 2,
    name: 'event-journal-test',
  });
  assets = await connectAs(db, 'assets', { poolMax: 2, name: 'event-journal-assets' });
});

afterAll(async () => {
  await app?.destroy();
  await assets?.destroy();
  await db?.drop();
});

describe('appending', () => {
  it('appends inside a tenant transaction with the request context, and reads it back', async () => {
    const tenant = randomUUID();
    const userId = randomUUID();
    const context: RequestContext = {
      ...anonymousContext('req-append-1'),
      tenantId: tenant,
      principal: { kind: 'user', id: userId },
      ip: '203.0.113.7',
      userAgent: 'jest',
    };
    const { appended, seen } = await runWithContext(context, () =>
      tenantScope(app, tenant).run(async (manager) => ({
        appended: await appendEvent(manager, event({ payload: { name: 'a.txt', size: 3 } })),
        seen: await manager.query<unknown[]>(`SELECT id, seq::text AS seq FROM events.events`),
      })),
    );
    expect(appended).toEqual({ id: expect.any(String), seq: '1' });
    expect(seen).toEqual([appended]);
    expect(await journal(tenant)).toEqual([
      {
        tenant_id: tenant,
        seq: '1',
        type: 'assets.asset.created',
        payload: { name: 'a.txt', size: 3 },
        actor_kind: 'user',
        actor_id: userId,
        request_id: 'req-append-1',
        ip: '203.0.113.7',
        user_agent: 'jest',
      },
    ]);
  });

  it('takes an explicit actor over the context principal, and records none when told', async () => {
    const tenant = randomUUID();
    await tenantScope(app, tenant).run(async (manager) => {
      await appendEvent(manager, event({ tenantId: tenant, actor: { kind: 'system', id: null } }));
      await appendEvent(manager, event({ tenantId: tenant, actor: null }));
    });
    expect((await journal(tenant)).map((row) => [row.actor_kind, row.actor_id])).toEqual([
      ['system', null],
      [null, null],
    ]);
  });

  it('appends prepared events in one statement, in their order, each with its own context', async () => {
    const tenant = randomUUID();
    const prepared = ['req-batch-1', 'req-batch-2', 'req-batch-3'].map((requestId, index) =>
      runWithContext({ ...anonymousContext(requestId), tenantId: tenant }, () =>
        prepareEvent(event({ payload: { n: index, text: 'quote " and \\ backslash' } })),
      ),
    );
    const appended = await tenantScope(app, tenant).run(async (manager) => {
      const statements = jest.spyOn(manager, 'query');
      const rows = await appendEvents(manager, prepared);
      expect(statements).toHaveBeenCalledTimes(1);
      return rows;
    });
    expect(appended.map((row) => row.seq)).toEqual(['1', '2', '3']);
    expect(
      (await journal(tenant)).map((row) => [
        row.seq,
        row.request_id,
        row.payload.n,
        row.payload.text,
      ]),
    ).toEqual([
      ['1', 'req-batch-1', 0, 'quote " and \\ backslash'],
      ['2', 'req-batch-2', 1, 'quote " and \\ backslash'],
      ['3', 'req-batch-3', 2, 'quote " and \\ backslash'],
    ]);
  });

  it('leaves nothing after a rollback, and the next committed seq follows without a gap', async () => {
    const tenant = randomUUID();
    const append = (payload: Record<string, unknown>) =>
      tenantScope(app, tenant).run((manager) =>
        appendEvent(manager, event({ tenantId: tenant, payload })),
      );
    expect((await append({ n: 1 })).seq).toBe('1');
    await expect(
      tenantScope(app, tenant).run(async (manager) => {
        const drawn = await appendEvent(manager, event({ tenantId: tenant, payload: { n: 'x' } }));
        expect(drawn.seq).toBe('2');
        throw new Error('the mutation failed after appending');
      }),
    ).rejects.toThrow('the mutation failed after appending');
    expect((await append({ n: 2 })).seq).toBe('2');
    expect((await journal(tenant)).map((row) => row.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('gives 20 concurrent appenders of one tenant seqs 1..20, in commit order', async () => {
    const tenant = randomUUID();
    // Every transaction is open before any appends, so all 20 really contend for the counter.
    let arrived = 0;
    let release!: () => void;
    const allOpen = new Promise<void>((resolve) => (release = resolve));

    const results = await Promise.all(
      Array.from({ length: CONCURRENT_APPENDERS }, (_, index) =>
        tenantScope(app, tenant).run(async (manager) => {
          await manager.query(`SELECT 1`);
          arrived += 1;
          if (arrived === CONCURRENT_APPENDERS) release();
          await allOpen;
          const { seq } = await appendEvent(
            manager,
            event({ tenantId: tenant, payload: { appender: index } }),
          );
          // Hold the transaction a little after appending, as a mutation doing more work would.
          await new Promise((resolve) => setTimeout(resolve, 5 + ((index * 7) % 11)));
          const [{ at }] = await manager.query<[{ at: string }]>(
            `SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US') AS at`,
          );
          return { seq, beforeCommit: at };
        }),
      ),
    );

    const bySeq = [...results].sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(bySeq.map((result) => result.seq)).toEqual(range(1, CONCURRENT_APPENDERS));
    // Each transaction read the clock just before committing; in seq order those readings
    // only increase, because seq N+1 could not be drawn until N had committed.
    const clock = bySeq.map((result) => result.beforeCommit);
    expect(clock).toEqual([...clock].sort());
    expect(new Set(clock).size).toBe(CONCURRENT_APPENDERS);
    expect(await seqs(tenant)).toEqual(range(1, CONCURRENT_APPENDERS));
  });

  it('keeps an independent sequence per tenant', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    for (const tenant of [tenantA, tenantB, tenantA, tenantA, tenantB]) {
      await tenantScope(app, tenant).run((manager) =>
        appendEvent(manager, event({ tenantId: tenant })),
      );
    }
    expect(await seqs(tenantA)).toEqual(['1', '2', '3']);
    expect(await seqs(tenantB)).toEqual(['1', '2']);
  });

  it('appends platform events (no tenant) in a tenantless transaction, with their own sequence', async () => {
    const before = (await seqs(null)).length;
    const userId = randomUUID();
    const appended = await runWithContext(
      { ...anonymousContext('req-sign-in'), principal: { kind: 'user', id: userId } },
      async () => {
        const first = await platformTransaction((manager) =>
          appendEvent(manager, event({ type: EventType.SIGN_IN_SUCCEEDED, payload: { userId } })),
        );
        const second = await platformTransaction((manager) =>
          appendEvent(manager, event({ type: EventType.SIGN_IN_FAILED, payload: {} })),
        );
        return [first.seq, second.seq];
      },
    );
    expect(appended).toEqual(range(before + 1, before + 2));
    const rows = (await journal(null)).slice(before);
    expect(rows.map((row) => [row.type, row.tenant_id, row.actor_id, row.request_id])).toEqual([
      ['auth.sign_in.succeeded', null, userId, 'req-sign-in'],
      ['auth.sign_in.failed', null, userId, 'req-sign-in'],
    ]);
    const [counter] = await db.query(
      `SELECT last_seq::text AS last FROM events.sequences WHERE scope = $1`,
      [PLATFORM_SCOPE],
    );
    expect(counter?.last).toBe(String(before + 2));
  });

  describe('with the write that it describes, in one statement', () => {
    const claim = `INSERT INTO jobs.tenant_statuses (tenant_id, status, seq) VALUES ($1, $2, 1)
                   ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id, status`;

    it('appends once when the write answers its row, and not at all when it answers none', async () => {
      const tenant = randomUUID();
      const write = () =>
        tenantScope(app, tenant).run((manager) =>
          writeWithEvent(
            manager,
            claim,
            [tenant, 'ACTIVE'],
            prepareEvent(event({ tenantId: tenant })),
          ),
        );
      expect(await write()).toEqual({ tenant_id: tenant, status: 'ACTIVE' });
      expect(await write()).toBeNull();
      expect(await seqs(tenant)).toEqual(['1']);
    });

    it('keeps neither the row nor the event when the transaction rolls back', async () => {
      const tenant = randomUUID();
      await expect(
        tenantScope(app, tenant).run(async (manager) => {
          await writeWithEvent(
            manager,
            claim,
            [tenant, 'ACTIVE'],
            prepareEvent(event({ tenantId: tenant })),
          );
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
      expect(await journal(tenant)).toEqual([]);
      expect(
        await db.query(`SELECT 1 FROM jobs.tenant_statuses WHERE tenant_id = $1`, [tenant]),
      ).toEqual([]);
    });

    it('adds columns of the written row to the payload, and refuses names that are not plain', async () => {
      const tenant = randomUUID();
      const prepared = prepareEvent(
        event({ tenantId: tenant, payload: { assetId: 'a-1', status: 'stale' } }),
      );
      const row = await tenantScope(app, tenant).run((manager) =>
        writeWithEvent(manager, claim, [tenant, 'ACTIVE'], prepared, {
          payloadFromRow: { status: 'status', claimedFor: 'tenant_id' },
        }),
      );
      expect(row).toEqual({ tenant_id: tenant, status: 'ACTIVE' });
      const [appended] = await journal(tenant);
      // The row's value replaces the prepared one of the same key.
      expect(appended?.payload).toEqual({ assetId: 'a-1', status: 'ACTIVE', claimedFor: tenant });

      for (const payloadFromRow of [
        { "x', now()) --": 'status' },
        { status: 'status; DROP' },
      ] as Record<string, string>[]) {
        await expect(
          tenantScope(app, tenant).run((manager) =>
            writeWithEvent(manager, claim, [tenant, 'ACTIVE'], prepared, { payloadFromRow }),
          ),
        ).rejects.toThrow('both must be plain names');
      }
      expect(await seqs(tenant)).toEqual(['1']);
    });

    it('refuses a write of several rows, and keeps none of their events', async () => {
      const tenant = randomUUID();
      const twoRows = `SELECT $1::uuid AS tenant_id FROM generate_series(1, 2)`;
      await expect(
        tenantScope(app, tenant).run((manager) =>
          writeWithEvent(manager, twoRows, [tenant], prepareEvent(event({ tenantId: tenant }))),
        ),
      ).rejects.toThrow('more than one row');
      expect(await journal(tenant)).toEqual([]);
    });

    it("refuses another tenant's event, and outside a transaction", async () => {
      const tenant = randomUUID();
      await expect(
        tenantScope(app, tenant).run((manager) =>
          writeWithEvent(
            manager,
            claim,
            [tenant, 'ACTIVE'],
            prepareEvent(event({ tenantId: randomUUID() })),
          ),
        ),
      ).rejects.toThrow(/event for tenant .* cannot be written in this transaction's tenant scope/);
      await expect(
        writeWithEvent(
          app.manager,
          claim,
          [tenant, 'ACTIVE'],
          prepareEvent(event({ tenantId: tenant })),
        ),
      ).rejects.toThrow(/inside the transaction/);
    });
  });

  it('refuses to run outside a transaction', async () => {
    await expect(appendEvent(app.manager, event({ tenantId: null }))).rejects.toThrow(
      /appendEvent must run inside the transaction/,
    );
    const runner = app.createQueryRunner();
    try {
      await expect(appendEvent(runner.manager, event({ tenantId: null }))).rejects.toThrow(
        /inside the transaction/,
      );
    } finally {
      await runner.release();
    }
  });
});

describe('validation', () => {
  it.each([
    ['no dot', 'assetcreated'],
    ['upper case', 'Assets.Asset.Created'],
    ['a trailing dot', 'assets.asset.'],
    ['a space', 'assets.asset created'],
  ])('refuses an event type with %s, and the transaction stays usable', async (_name, type) => {
    const tenant = randomUUID();
    await tenantScope(app, tenant).run(async (manager) => {
      await expect(appendEvent(manager, event({ type: type as EventType }))).rejects.toThrow(
        ValidationError,
      );
      await appendEvent(manager, event({ tenantId: tenant }));
    });
    expect(await seqs(tenant)).toEqual(['1']);
  });

  it('refuses a well-formed type that is not in EventType', async () => {
    await tenantScope(app, randomUUID()).run(async (manager) => {
      await expect(
        appendEvent(manager, event({ type: 'assets.asset.teleported' as EventType })),
      ).rejects.toThrow(/Unknown event type/);
    });
  });

  it('has a CHECK on the type format, whoever inserts', async () => {
    await expect(
      db.query(
        `INSERT INTO events.events (tenant_id, seq, type, payload) VALUES ($1, 1, 'Not A Type', '{}')`,
        [randomUUID()],
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('refuses a payload over the size limit before touching the database', async () => {
    const tenant = randomUUID();
    await tenantScope(app, tenant).run(async (manager) => {
      const big = { blob: 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES) };
      await expect(appendEvent(manager, event({ payload: big }))).rejects.toThrow(
        new ValidationError(`Event payload exceeds ${MAX_EVENT_PAYLOAD_BYTES} bytes`),
      );
      // Just under the limit is fine.
      const fits = { blob: 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES - '{"blob":""}'.length) };
      await appendEvent(manager, event({ tenantId: tenant, payload: fits }));
    });
    expect(await seqs(tenant)).toEqual(['1']);
  });

  it('refuses payloads jsonb cannot hold and actors without an id', async () => {
    await tenantScope(app, randomUUID()).run(async (manager) => {
      await expect(appendEvent(manager, event({ payload: { name: 'a\u0000b' } }))).rejects.toThrow(
        /NUL/,
      );
      await expect(
        appendEvent(manager, event({ payload: [1, 2] as unknown as Record<string, unknown> })),
      ).rejects.toThrow(ValidationError);
      await expect(
        appendEvent(manager, event({ actor: { kind: 'user', id: null } })),
      ).rejects.toThrow(ValidationError);
      await expect(appendEvent(manager, event({ tenantId: PLATFORM_SCOPE }))).rejects.toThrow(
        ValidationError,
      );
    });
  });

  it('keeps every EventType constant unique and in the CHECK format', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    for (const type of EVENT_TYPES) expect(type).toMatch(EVENT_TYPE_PATTERN);
  });
});

describe('row-level security', () => {
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    for (const tenant of [tenantA, tenantB]) {
      await tenantScope(app, tenant).run((manager) =>
        appendEvent(manager, event({ tenantId: tenant, payload: { owner: tenant } })),
      );
    }
    await platformTransaction((manager) =>
      appendEvent(manager, event({ type: EventType.USER_SIGNED_UP, tenantId: null })),
    );
  });

  it("lets a tenant transaction see only its own events, never another tenant's or the platform's", async () => {
    const seen = await tenantScope(app, tenantA).run((manager) =>
      manager.query(`SELECT DISTINCT tenant_id FROM events.events`),
    );
    expect(seen).toEqual([{ tenant_id: tenantA }]);
  });

  it("refuses a tenant transaction writing another tenant's event, through appendEvent or SQL", async () => {
    await expect(
      tenantScope(app, tenantA).run((manager) =>
        appendEvent(manager, event({ tenantId: tenantB })),
      ),
    ).rejects.toThrow(/event for tenant .* cannot be written in this transaction's tenant scope/);
    await expect(
      tenantScope(app, tenantA).run((manager) =>
        manager.query(
          `SELECT * FROM events.append_event($1, 'assets.asset.created', '{}', NULL, NULL, NULL, NULL, NULL, NULL)`,
          [tenantB],
        ),
      ),
    ).rejects.toThrow(/cannot be appended in this transaction's scope/);
    expect(await seqs(tenantB)).toEqual(['1']);
  });

  it('refuses a tenant transaction writing a platform event', async () => {
    await expect(
      tenantScope(app, tenantA).run((manager) => appendEvent(manager, event({ tenantId: null }))),
    ).rejects.toThrow(/event for the platform cannot be written/);
    await expect(
      tenantScope(app, tenantA).run((manager) =>
        manager.query(
          `SELECT * FROM events.append_event(NULL, 'auth.user.signed_up', '{}', NULL, NULL, NULL, NULL, NULL, NULL)`,
        ),
      ),
    ).rejects.toThrow(/cannot be appended in this transaction's scope/);
  });

  it('lets a tenantless transaction see platform events only, and write no tenant event', async () => {
    const tenants = await platformTransaction((manager) =>
      manager.query<Promise<unknown[]>>(`SELECT DISTINCT tenant_id FROM events.events`),
    );
    expect(tenants).toEqual([{ tenant_id: null }]);
    expect(
      await app.query(`SELECT count(*)::int AS n FROM events.events WHERE tenant_id IS NOT NULL`),
    ).toEqual([{ n: 0 }]);
    await expect(
      platformTransaction((manager) => appendEvent(manager, event({ tenantId: tenantA }))),
    ).rejects.toThrow(/cannot be written/);
    expect(await seqs(tenantA)).toEqual(['1']);
  });

  it('keeps the journal append-only for the services: no direct write, no counter', async () => {
    for (const sql of [
      `UPDATE events.events SET payload = '{}'`,
      `DELETE FROM events.events`,
      `INSERT INTO events.events (tenant_id, seq, type, payload) VALUES ('${tenantA}', 99, 'assets.asset.created', '{}')`,
      `SELECT scope FROM events.sequences`,
      `UPDATE events.sequences SET last_seq = 1`,
    ]) {
      await expect(tenantScope(app, tenantA).run((manager) => manager.query(sql))).rejects.toThrow(
        /permission denied/,
      );
    }
    expect(await seqs(tenantA)).toEqual(['1']);
  });

  it('lets a service that only appends (assets) append, but not read the journal', async () => {
    const appended = await tenantScope(assets, tenantB).run((manager) =>
      appendEvent(manager, event({ tenantId: tenantB })),
    );
    expect(appended.seq).toBe('2');
    await expect(
      tenantScope(assets, tenantB).run((manager) => manager.query(`SELECT id FROM events.events`)),
    ).rejects.toThrow(/permission denied/);
    await expect(
      tenantScope(assets, tenantB).run((manager) =>
        manager.query(
          `SELECT * FROM events.audit_entries('{assets.asset.created}', NULL, NULL, 10)`,
        ),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it("lets the audit log's function answer only the transaction's scope, though it bypasses RLS", async () => {
    const observability = await connectAs(db, 'observability', { poolMax: 1 });
    const audit = (manager: EntityManager, types: string[]) =>
      manager.query<Promise<unknown[]>>(
        `SELECT DISTINCT e.payload->>'owner' AS owner, e.type
           FROM events.audit_entries($1::text[], NULL, NULL, 100) e`,
        [types],
      );
    try {
      const types = [EventType.ASSET_CREATED, EventType.USER_SIGNED_UP];
      expect(await tenantScope(observability, tenantA).run((m) => audit(m, types))).toEqual([
        { owner: tenantA, type: EventType.ASSET_CREATED },
      ]);
      expect(await observability.transaction((m) => audit(m, types))).toEqual([
        { owner: null, type: EventType.USER_SIGNED_UP },
      ]);
    } finally {
      await observability.destroy();
    }
  });

  it('forces RLS on the journal and its counters', async () => {
    const rows = await db.query(
      `SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'events' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname <> 'journal_archives' ORDER BY c.relname`,
    );
    expect(rows).toEqual([
      { relname: 'events', enabled: true, forced: true },
      { relname: 'sequences', enabled: true, forced: true },
    ]);
  });
});
