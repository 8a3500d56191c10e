import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { retentionPurgeCall } from '../../../platform/contracts/subgraphs/retention-purge';
import { QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { PURGE_TARGETS } from '../../../platform/contracts/jobs/purge-targets';
import { retentionSchedulerId } from '../../../platform/contracts/jobs/retention-purge-job';
import { postGraphQL, type GraphQLResponse, codeOf } from '../../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { eventually } from '../../../testing/eventually';
import { postInternal, refusalCode } from '../../../testing/internal-requests';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';

// Retention purges end to end: rows arranged with old timestamps as the database owner, then
// `runPurge` as a platform administrator through the gateway; the real worker asks each
// owning subgraph to delete what expired, tenant by tenant, with each tenant's retention.

const tenant = { a: randomUUID(), b: randomUUID(), gone: randomUUID() };
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
let stack: TestStack;
let storage: string;
let adminA: TestUser;
let platformAdmin: TestUser;

interface Run {
  id: string;
  target: string;
  trigger: string;
  deleted: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}
const RUN = 'id target trigger deleted startedAt finishedAt error';

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-retention-e2e-'));
  stack = await startStack({
    worker: true,
    // One scheduled run of each target at start, then none during the test.
    env: { ASSETS_STORAGE_PATH: storage, PURGE_INTERVAL_SECONDS: '86400' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     VALUES ($1, 'keep-a', 'Defaults'), ($2, 'keep-b', 'Keeps longer')`,
    [tenant.a, tenant.b],
  );
  // Tenant B keeps its events, deliveries and deleted assets for a year.
  await stack.db.query(
    `INSERT INTO tenancy.tenant_settings (tenant_id, events_retention_days,
       webhook_deliveries_retention_days, deleted_assets_retention_days)
     VALUES ($1, 365, 365, 365)`,
    [tenant.b],
  );
  adminA = await signUpMember(stack.gatewayUrl, stack.db, tenant.a, 'ADMIN');
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  // The runs the schedulers started with the worker have ended before anything is arranged.
  await eventually(async () => {
    const [row] = await stack.db.query<{ finished: number; open: number }>(
      `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS finished,
              count(*) FILTER (WHERE finished_at IS NULL)::int AS open
         FROM jobs.purge_runs WHERE trigger = 'schedule'`,
    );
    return row!.finished >= PURGE_TARGETS.length && row!.open === 0;
  }, 60_000);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
}

async function purgeRuns(user: TestUser = platformAdmin): Promise<Run[]> {
  const response = await gql<{ purgeRuns: Run[] }>(
    `query ($first: Int) { purgeRuns(first: $first) { ${RUN} } }`,
    { first: 100 },
    user.headers(),
  );
  if (!response.body.data) throw new Error(response.text);
  return response.body.data.purgeRuns;
}

/** `runPurge(target)` as a platform admin, then the run once the worker finished it. */
async function runPurge(target: string): Promise<Run> {
  const response = await gql<{ runPurge: Run }>(
    `mutation ($target: String!) { runPurge(target: $target) { ${RUN} } }`,
    { target },
    platformAdmin.headers(),
  );
  const started = response.body.data?.runPurge;
  if (!started) throw new Error(response.text);
  expect(started).toMatchObject({ target, trigger: 'MANUAL', deleted: 0, finishedAt: null });
  return eventually(async () =>
    (await purgeRuns()).find((run) => run.id === started.id && run.finishedAt !== null),
  );
}

const ids = async (sql: string, params: unknown[] = []) =>
  (await stack.db.query<{ id: string }>(sql, params)).map((row) => row.id).sort();
const hex64 = () => randomBytes(32).toString('hex');

describe('sessions and email tokens (auth, one cutoff for all accounts)', () => {
  it('deletes sessions expired or revoked past retention, with their refresh tokens', async () => {
    const [user] = await stack.db.query<{ id: string }>(
      `INSERT INTO auth.users (email) VALUES ($1) RETURNING id`,
      [`sessions-${randomUUID().slice(0, 8)}@example.com`],
    );
    const session = async (created: Date, expires: Date, revoked: Date | null) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO auth.sessions (user_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason)
         VALUES ($1, $2, $2, $3, $4, CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'sign_out' END)
         RETURNING id`,
        [user!.id, created, expires, revoked],
      );
      return row!.id;
    };
    const expiredLongAgo = await session(ago(70), ago(40), null);
    const revokedLongAgo = await session(ago(60), ago(-10), ago(35));
    const expiredRecently = await session(ago(40), ago(10), null);
    const live = await session(ago(1), ago(-29), null);
    const revokedRecently = await session(ago(20), ago(-10), ago(5));
    await stack.db.query(
      `INSERT INTO auth.refresh_tokens (session_id, token_hash) VALUES ($1, $2), ($3, $4)`,
      [expiredLongAgo, hex64(), live, hex64()],
    );

    const run = await runPurge('sessions');
    expect(run).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM auth.sessions WHERE user_id = $1`, [user!.id])).toEqual(
      [expiredRecently, live, revokedRecently].sort(),
    );
    expect(revokedLongAgo).toBeDefined();
    expect(
      await ids(`SELECT session_id AS id FROM auth.refresh_tokens WHERE session_id = ANY($1)`, [
        [expiredLongAgo, live],
      ]),
    ).toEqual([live]);
  });

  it("deletes a member's ended sessions at the shortest sessions retention of the member's tenants", async () => {
    // Its ADMIN shortens tenant A's sessions retention to 3 days, through the gateway.
    const set = await gql(
      `mutation { updateTenantSettings(input: { retentionDays: { sessions: 3 } }) { id } }`,
      {},
      adminA.headers(tenant.a),
    );
    expect(set.body.errors).toBeUndefined();
    const outsider = await signUpMember(stack.gatewayUrl, stack.db, tenant.b, 'MEMBER');
    const session = async (userId: string, revoked: Date) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO auth.sessions (user_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason)
         VALUES ($1, $2, $2, $3, $2, 'sign_out') RETURNING id`,
        [userId, revoked, ago(-10)],
      );
      return row!.id;
    };
    await session(adminA.id, ago(5));
    const memberRecent = await session(adminA.id, ago(1));
    const outsiderOld = await session(outsider.id, ago(5));

    expect(await runPurge('sessions')).toMatchObject({ deleted: 1, error: null });
    const left = await ids(
      `SELECT id FROM auth.sessions WHERE user_id = ANY($1) AND revoked_at IS NOT NULL`,
      [[adminA.id, outsider.id]],
    );
    expect(left).toEqual([memberRecent, outsiderOld].sort());
    // Back to the platform default: the other tests keep their arrangement.
    await gql(
      `mutation { updateTenantSettings(input: { retentionDays: { sessions: null } }) { id } }`,
      {},
      adminA.headers(tenant.a),
    );
  });

  it('deletes email tokens used or expired a week ago', async () => {
    const [user] = await stack.db.query<{ id: string }>(
      `INSERT INTO auth.users (email) VALUES ($1) RETURNING id`,
      [`tokens-${randomUUID().slice(0, 8)}@example.com`],
    );
    const token = async (created: Date, expires: Date, used: Date | null) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO auth.email_tokens (user_id, purpose, token_hash, created_at, expires_at, used_at)
         VALUES ($1, 'reset_password', $2, $3, $4, $5) RETURNING id`,
        [user!.id, hex64(), created, expires, used],
      );
      return row!.id;
    };
    await token(ago(11), ago(10.5), ago(10)); // used 10 days ago
    await token(ago(9), ago(8), null); // expired 8 days ago
    const expiredYesterday = await token(ago(2), ago(1), null);
    const open = await token(ago(0.1), ago(-1), null);

    expect(await runPurge('email-tokens')).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM auth.email_tokens WHERE user_id = $1`, [user!.id])).toEqual(
      [expiredYesterday, open].sort(),
    );
  });
});

describe('tenant-owned rows (each tenant under row-level security, with its retention)', () => {
  it('deletes API keys revoked or expired a month ago, in every tenant, and no live one', async () => {
    const key = async (tenantId: string, revoked: Date | null, expires: Date | null) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO auth.api_keys (tenant_id, name, prefix, secret_hash, scopes, revoked_at, expires_at)
         VALUES ($1, 'k', $2, $3, '{assets:read}', $4, $5) RETURNING id`,
        [tenantId, randomBytes(6).toString('hex'), hex64(), revoked, expires],
      );
      return row!.id;
    };
    await key(tenant.a, ago(40), null);
    await key(tenant.b, null, ago(31));
    const revokedYesterday = await key(tenant.a, ago(1), null);
    const live = await key(tenant.b, null, ago(-30));
    expect(await runPurge('api-keys')).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM auth.api_keys WHERE name = 'k'`)).toEqual(
      [revokedYesterday, live].sort(),
    );
  });

  it('deletes invitations expired a month ago and never accepted, in every tenant', async () => {
    const invite = async (tenantId: string, expires: Date, accepted: boolean) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO tenancy.invitations
           (tenant_id, email, role, token_hash, created_at, expires_at, accepted_at, accepted_by)
         VALUES ($1, $2, 'MEMBER', $3, $4, $5, $6, $7) RETURNING id`,
        [
          tenantId,
          `invitee-${randomUUID().slice(0, 8)}@example.com`,
          hex64(),
          new Date(expires.getTime() - 7 * DAY),
          expires,
          accepted ? new Date(expires.getTime() - DAY) : null,
          accepted ? randomUUID() : null,
        ],
      );
      return row!.id;
    };
    await invite(tenant.a, ago(40), false);
    const recent = await invite(tenant.a, ago(10), false);
    const accepted = await invite(tenant.a, ago(40), true);
    await invite(tenant.b, ago(40), false);

    expect(await runPurge('invitations')).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM tenancy.invitations`)).toEqual([recent, accepted].sort());
  });

  it("deletes events past each tenant's retention, the platform's and a purged tenant's too", async () => {
    const event = async (tenantId: string | null, occurred: Date) => {
      const [row] = await stack.db.query<{ id: string }>(
        `WITH next AS (
           INSERT INTO events.sequences (scope, last_seq)
           VALUES (coalesce($1::uuid, '00000000-0000-0000-0000-000000000000'), 1)
           ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
           RETURNING last_seq)
         INSERT INTO events.events (tenant_id, seq, type, payload, occurred_at, published_at)
         SELECT $1, last_seq, 'tenancy.tenant.updated', '{}', $2, $2 FROM next RETURNING id`,
        [tenantId, occurred],
      );
      return row!.id;
    };
    const old = [
      await event(tenant.a, ago(100)),
      await event(tenant.b, ago(400)),
      await event(null, ago(100)),
      // A tenant whose tenancy rows are gone: its journal waits for this purge.
      await event(tenant.gone, ago(100)),
    ];
    const kept = [
      await event(tenant.a, ago(10)),
      // Tenant B keeps a year.
      await event(tenant.b, ago(100)),
      await event(null, ago(10)),
    ];

    expect(await runPurge('events')).toMatchObject({ deleted: 4, error: null });
    const left = await ids(`SELECT id FROM events.events WHERE id = ANY($1)`, [[...old, ...kept]]);
    expect(left).toEqual([...kept].sort());
  });

  it("deletes finished webhook deliveries past each tenant's retention, with their attempts", async () => {
    const endpoint = async (tenantId: string) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO jobs.webhook_endpoints (tenant_id, url, event_types, secret_ciphertext)
         VALUES ($1, 'https://hooks.example.com/in', '{*}', 'sealed') RETURNING id`,
        [tenantId],
      );
      return row!.id;
    };
    const endpoints = { a: await endpoint(tenant.a), b: await endpoint(tenant.b) };
    const delivery = async (which: 'a' | 'b', status: string, created: Date) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO jobs.webhook_deliveries
           (tenant_id, endpoint_id, event_id, event_type, origin, status, job_id, created_at)
         VALUES ($1, $2, $3, 'assets.asset.created', 'event', $4, $5, $6) RETURNING id`,
        [tenant[which], endpoints[which], randomUUID(), status, randomUUID(), created],
      );
      return row!.id;
    };
    const succeededOld = await delivery('a', 'SUCCEEDED', ago(40));
    await delivery('a', 'DEAD', ago(40));
    const retrying = await delivery('a', 'FAILED', ago(40));
    const recent = await delivery('a', 'SUCCEEDED', ago(10));
    const longerKept = await delivery('b', 'SUCCEEDED', ago(40));
    await stack.db.query(
      `INSERT INTO jobs.webhook_attempts (tenant_id, delivery_id, attempt, attempted_at, status_code, duration_ms)
       VALUES ($1, $2, 1, $3, 200, 12)`,
      [tenant.a, succeededOld, ago(40)],
    );

    expect(await runPurge('webhook-deliveries')).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM jobs.webhook_deliveries`)).toEqual(
      [retrying, recent, longerKept].sort(),
    );
    expect(
      await ids(`SELECT id FROM jobs.webhook_attempts WHERE delivery_id = $1`, [succeededOld]),
    ).toEqual([]);
  });

  it("deletes dead letters a month old, the platform's too", async () => {
    const letter = async (tenantId: string | null, failed: Date) => {
      const [row] = await stack.db.query<{ id: string }>(
        `INSERT INTO jobs.dead_letters (tenant_id, queue, job_id, job_name, reason, failed_at)
         VALUES ($1, 'maintenance', $2, 'report', 'boom', $3) RETURNING id`,
        [tenantId, randomUUID(), failed],
      );
      return row!.id;
    };
    await letter(tenant.a, ago(40));
    await letter(tenant.b, ago(40));
    await letter(null, ago(40));
    const kept = [await letter(tenant.a, ago(10)), await letter(null, ago(10))];

    expect(await runPurge('dead-letters')).toMatchObject({ deleted: 3, error: null });
    expect(await ids(`SELECT id FROM jobs.dead_letters`)).toEqual([...kept].sort());
  });

  it("deletes soft-deleted assets past each tenant's retention, blob first", async () => {
    const asset = async (
      tenantId: string,
      status: string,
      deletedAt: Date | null,
      created: Date,
    ) => {
      const id = randomUUID();
      await stack.db.query(
        `INSERT INTO assets.assets (id, tenant_id, name, content_type, size_bytes, status, owner_id,
           created_at, updated_at, deleted_at, completed_at)
         VALUES ($1, $2, 'file.bin', 'application/octet-stream', 4, $3, $4, $5, $5, $6,
                 CASE WHEN $3 = 'PENDING' THEN NULL ELSE $5::timestamptz END)`,
        [id, tenantId, status, adminA.id, created, deletedAt],
      );
      return id;
    };
    const blob = (tenantId: string, assetId: string) =>
      join(storage, tenantId, assetId.slice(0, 2), assetId);
    const writeBlob = (tenantId: string, assetId: string) => {
      mkdirSync(join(blob(tenantId, assetId), '..'), { recursive: true });
      writeFileSync(blob(tenantId, assetId), 'data');
    };
    const doomed = await asset(tenant.a, 'DELETED', ago(40), ago(50));
    const recent = await asset(tenant.a, 'DELETED', ago(10), ago(50));
    const ready = await asset(tenant.a, 'READY', null, ago(50));
    const keptLonger = await asset(tenant.b, 'DELETED', ago(40), ago(50));
    for (const [tenantId, id] of [
      [tenant.a, doomed],
      [tenant.a, recent],
      [tenant.b, keptLonger],
    ] as const) {
      writeBlob(tenantId, id);
    }

    expect(await runPurge('deleted-assets')).toMatchObject({ deleted: 1, error: null });
    expect(await ids(`SELECT id FROM assets.assets`)).toEqual([recent, ready, keptLonger].sort());
    expect(existsSync(blob(tenant.a, doomed))).toBe(false);
    expect(existsSync(blob(tenant.a, recent))).toBe(true);
    expect(existsSync(blob(tenant.b, keptLonger))).toBe(true);

    // Uploads declared more than a day ago and never completed go, in every tenant.
    const stale = await asset(tenant.a, 'PENDING', null, ago(2));
    writeBlob(tenant.a, stale);
    await asset(tenant.b, 'PENDING', null, ago(2));
    const fresh = await asset(tenant.a, 'PENDING', null, ago(1 / 24));
    expect(await runPurge('pending-uploads')).toMatchObject({ deleted: 2, error: null });
    expect(await ids(`SELECT id FROM assets.assets WHERE status = 'PENDING'`)).toEqual([fresh]);
    expect(existsSync(blob(tenant.a, stale))).toBe(false);
  });

  it('removes finished jobs past JOB_RETENTION_HOURS', async () => {
    expect(await runPurge('finished-jobs')).toMatchObject({ error: null });
  });
});

describe('runs, schedules and access', () => {
  it('lists runs newest first with their counts, manual and scheduled, and appends events', async () => {
    const runs = await purgeRuns();
    const manual = runs.filter((run) => run.trigger === 'MANUAL');
    expect(manual.map((run) => [run.target, run.deleted])).toEqual(
      expect.arrayContaining([
        ['sessions', 2],
        ['email-tokens', 2],
        ['api-keys', 2],
        ['invitations', 2],
        ['events', 4],
        ['webhook-deliveries', 2],
        ['dead-letters', 3],
        ['deleted-assets', 1],
        ['pending-uploads', 2],
      ]),
    );
    const started = runs.map((run) => Date.parse(run.startedAt));
    expect(started).toEqual([...started].sort((a, b) => b - a));
    expect(
      new Set(runs.filter((run) => run.trigger === 'SCHEDULE').map((run) => run.target)),
    ).toEqual(new Set(PURGE_TARGETS));
    const [latest] = await purgeRuns();
    const events = await stack.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM events.events WHERE tenant_id IS NULL AND type = 'jobs.purge_run.finished'`,
    );
    expect(events.map((event) => event.payload.runId)).toContain(latest!.id);
  });

  it('schedules every target on the retention queue', async () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.RETENTION, {
      connection: redis,
      prefix: queuePrefix(stack.redisPrefix),
    });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.every]).sort()).toEqual(
        PURGE_TARGETS.filter((target) => target !== 'finished-jobs')
          .map((target) => [retentionSchedulerId(target), 86_400_000])
          .sort(),
      );
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it('is for platform administrators only, and knows its targets', async () => {
    const asAdmin = await gql(
      `mutation { runPurge(target: "events") { id } }`,
      {},
      adminA.headers(tenant.a),
    );
    expect(codeOf(asAdmin)).toBe('FORBIDDEN');
    expect(codeOf(await gql(`{ purgeRuns { id } }`, {}, adminA.headers()))).toBe('FORBIDDEN');
    expect(codeOf(await gql(`{ purgeRuns { id } }`, {}, {}))).toBe('UNAUTHENTICATED');

    const unknown = await gql(
      `mutation { runPurge(target: "everything") { id } }`,
      {},
      platformAdmin.headers(),
    );
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.body.errors?.[0]?.message).toContain('events');
    expect(codeOf(await gql(`{ purgeRuns(first: 0) { id } }`, {}, platformAdmin.headers()))).toBe(
      'BAD_USER_INPUT',
    );
    const targets = await gql<{ purgeTargets: string[] }>(
      `{ purgeTargets }`,
      {},
      platformAdmin.headers(),
    );
    expect(targets.body.data?.purgeTargets).toEqual([...PURGE_TARGETS]);
  });

  it("answers only the worker's signed calls on the subgraphs' retention routes, for the targets they own", async () => {
    const post = (service: 'auth' | 'jobs', body: unknown) =>
      postInternal(stack, retentionPurgeCall, body, { to: service });
    const body = { target: 'sessions', tenantId: null, before: ago(30).toISOString(), batch: 10 };
    const unsigned = await fetch(`${stack.url('auth')}${retentionPurgeCall.path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(unsigned.status).toBe(401);
    const asJobs = await postInternal(stack, retentionPurgeCall, body, { to: 'auth', as: 'jobs' });
    expect(asJobs.status).toBe(403);
    expect((await post('auth', body)).status).toBe(200);
    // Rows younger than the target's shortest retention are never the purge's to delete.
    const tooRecent = await post('auth', { ...body, before: ago(0).toISOString() });
    expect([tooRecent.status, await refusalCode(tooRecent)]).toEqual([409, 'CONFLICT']);
    expect((await post('jobs', body)).status).toBe(404);
    expect((await post('auth', { ...body, tenantId: tenant.a })).status).toBe(400);
    expect((await post('auth', { ...body, target: 'everything' })).status).toBe(400);
    expect((await post('auth', { ...body, batch: 100_000 })).status).toBe(400);
    expect((await post('jobs', { ...body, target: 'webhook-deliveries' })).status).toBe(400);
  });
});
