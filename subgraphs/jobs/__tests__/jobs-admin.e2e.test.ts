import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';
import {
  enqueueTenantPurge,
  tenantPurgeJobId,
} from '../../../platform/contracts/jobs/tenant-purge-job';
import { QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import {
  dataOf,
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';
import { eventually } from '../../../testing/eventually';

// The jobs admin end to end: the gateway, every subgraph and the real worker process, with
// real users; jobs arranged in the real queues as their enqueuers would add them.

const tenant = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
let stack: TestStack;
let redis: Redis;
let queues: Record<string, Queue>;
let adminA: TestUser;
let memberA: TestUser;
let adminB: TestUser;
let adminC: TestUser;
let platformAdmin: TestUser;

const JOB = `id queue name state attemptsMade attempts failedReason data requestId tenantId createdAt finishedAt`;
const JOBS = `query ($queue: String, $state: JobState, $first: Int, $after: Cursor) {
  jobs(queue: $queue, state: $state, first: $first, after: $after) {
    nodes { ${JOB} } pageInfo { endCursor hasNextPage } } }`;
const ADMIN_JOBS = `query ($queue: String, $state: JobState, $tenantId: ID, $first: Int) {
  adminJobs(queue: $queue, state: $state, tenantId: $tenantId, first: $first) {
    nodes { ${JOB} } pageInfo { endCursor hasNextPage } } }`;
const DEAD_LETTERS = `query ($queue: String, $first: Int, $after: Cursor) {
  deadLetters(queue: $queue, first: $first, after: $after) {
    nodes { id queue reason failedAt replayedAt replayedJobId tenantId job { ${JOB} } }
    pageInfo { endCursor hasNextPage } } }`;
const CANCEL = `mutation ($id: ID!) { cancelJob(id: $id) }`;
const RETRY = `mutation ($id: ID!) { retryJob(id: $id) { ${JOB} } }`;
const REPLAY = `mutation ($id: ID!) { replayDeadLetter(id: $id) { ${JOB} } }`;

interface JobNode {
  id: string;
  queue: string;
  name: string;
  state: string;
  attemptsMade: number;
  attempts: number;
  failedReason: string | null;
  data: Record<string, unknown>;
  requestId: string | null;
  tenantId: string | null;
  createdAt: string;
  finishedAt: string | null;
}
interface DeadLetterNode {
  id: string;
  queue: string;
  reason: string;
  failedAt: string;
  replayedAt: string | null;
  replayedJobId: string | null;
  tenantId: string | null;
  job: JobNode;
}

beforeAll(async () => {
  // The tests poll the gateway for job states: limits of their own would only slow them.
  stack = await startStack({
    worker: true,
    env: { GATEWAY_RATE_LIMIT_PER_IP: '100000', GATEWAY_RATE_LIMIT_PER_USER: '100000' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     VALUES ($1, 'jobs-a', 'Jobs A'), ($2, 'jobs-b', 'Jobs B'), ($3, 'jobs-c', 'Jobs C')`,
    [tenant.a, tenant.b, tenant.c],
  );
  [adminA, memberA, adminB, adminC] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant.a, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.a, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.b, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.c, 'ADMIN'),
  ]);
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = Object.fromEntries(
    [QueueName.MAINTENANCE, QueueName.TENANT_PURGE].map((name) => [
      name,
      new Queue(name, { connection: redis, prefix: queuePrefix(stack.redisPrefix) }),
    ]),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close()));
  redis?.disconnect();
  await stack?.stop();
});

function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
}

/** A job as an enqueuer adds it: correlated with a request, a tenant and an actor. */
async function addJob(
  queue: string,
  name: string,
  tenantId: string | null,
  options: { delay?: number; attempts?: number } = {},
): Promise<string> {
  const job = await queues[queue]!.add(
    name,
    correlatedJobData(
      { reportId: randomUUID() },
      { tenantId, requestId: `req-${randomUUID()}`, actor: { kind: 'system', id: null } },
    ),
    { delay: options.delay, attempts: options.attempts, backoff: { type: 'fixed', delay: 50 } },
  );
  return `${queue}:${job.id}`;
}

async function eventsOf(tenantId: string | null, type: string) {
  return stack.db.query<{ payload: Record<string, unknown>; request_id: string | null }>(
    `SELECT payload, request_id FROM events.events
      WHERE tenant_id IS NOT DISTINCT FROM $1::uuid AND type = $2 ORDER BY seq`,
    [tenantId, type],
  );
}

async function deadLettersOf(user: TestUser, tenantId: string): Promise<DeadLetterNode[]> {
  const response = await gql<{ deadLetters: { nodes: DeadLetterNode[] } }>(
    DEAD_LETTERS,
    { first: 100 },
    user.headers(tenantId),
  );
  return dataOf(response).deadLetters.nodes;
}

describe('jobs', () => {
  const later = 3_600_000;
  let jobA1: string;
  let jobA2: string;
  let jobB: string;
  let platformJob: string;

  beforeAll(async () => {
    jobA1 = await addJob(QueueName.MAINTENANCE, 'report', tenant.a, { delay: later });
    jobA2 = await addJob(QueueName.MAINTENANCE, 'report', tenant.a, { delay: later });
    jobB = await addJob(QueueName.MAINTENANCE, 'report', tenant.b, { delay: later });
    platformJob = await addJob(QueueName.MAINTENANCE, 'report', null, { delay: later });
  });

  it("shows a tenant ADMIN only the tenant's jobs, newest first, with their correlation", async () => {
    const asA = dataOf(
      await gql<{ jobs: { nodes: JobNode[] } }>(
        JOBS,
        { state: 'DELAYED' },
        adminA.headers(tenant.a),
      ),
    ).jobs.nodes;
    expect(asA.map((job) => job.id)).toEqual([jobA2, jobA1]);
    expect(asA[0]).toMatchObject({
      queue: 'maintenance',
      name: 'report',
      state: 'DELAYED',
      attemptsMade: 0,
      tenantId: tenant.a,
      finishedAt: null,
    });
    expect(asA[0]!.requestId).toMatch(/^req-/);
    expect(asA[0]!.data).toMatchObject({ tenantId: tenant.a, actor: { kind: 'system' } });

    const asB = dataOf(
      await gql<{ jobs: { nodes: JobNode[] } }>(
        JOBS,
        { state: 'DELAYED' },
        adminB.headers(tenant.b),
      ),
    ).jobs.nodes;
    expect(asB.map((job) => job.id)).toEqual([jobB]);
  });

  it('pages with first and after', async () => {
    const first = dataOf(
      await gql<{
        jobs: { nodes: JobNode[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
      }>(JOBS, { state: 'DELAYED', first: 1 }, adminA.headers(tenant.a)),
    ).jobs;
    expect(first.nodes.map((job) => job.id)).toEqual([jobA2]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = dataOf(
      await gql<{ jobs: { nodes: JobNode[]; pageInfo: { hasNextPage: boolean } } }>(
        JOBS,
        { state: 'DELAYED', first: 1, after: first.pageInfo.endCursor },
        adminA.headers(tenant.a),
      ),
    ).jobs;
    expect(second.nodes.map((job) => job.id)).toEqual([jobA1]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('shows platform admins every tenant and the platform, or one tenant', async () => {
    const all = dataOf(
      await gql<{ adminJobs: { nodes: JobNode[] } }>(
        ADMIN_JOBS,
        { state: 'DELAYED', first: 100 },
        platformAdmin.headers(),
      ),
    ).adminJobs.nodes.map((job) => job.id);
    expect(all).toEqual(expect.arrayContaining([jobA1, jobA2, jobB, platformJob]));
    // Every state of every queue when neither is given.
    const anyState = dataOf(
      await gql<{ adminJobs: { nodes: JobNode[] } }>(
        ADMIN_JOBS,
        { first: 100 },
        platformAdmin.headers(),
      ),
    ).adminJobs.nodes;
    expect(anyState.map((job) => job.id)).toEqual(
      expect.arrayContaining([jobA1, jobA2, jobB, platformJob]),
    );
    expect(new Set(anyState.map((job) => job.queue)).size).toBeGreaterThan(1);
    const onlyB = dataOf(
      await gql<{ adminJobs: { nodes: JobNode[] } }>(
        ADMIN_JOBS,
        { state: 'DELAYED', tenantId: tenant.b },
        platformAdmin.headers(),
      ),
    ).adminJobs.nodes.map((job) => job.id);
    expect(onlyB).toEqual([jobB]);
    // In a tenant, a platform admin sees that tenant's jobs like its ADMINs do.
    const inA = dataOf(
      await gql<{ jobs: { nodes: JobNode[] } }>(
        JOBS,
        { state: 'DELAYED' },
        platformAdmin.headers(tenant.a),
      ),
    ).jobs.nodes.map((job) => job.id);
    expect(inA).toEqual([jobA2, jobA1]);
  });

  it('refuses a MEMBER, a tenant ADMIN on the platform fields, and bad arguments', async () => {
    expect(codeOf(await gql(JOBS, {}, memberA.headers(tenant.a)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(DEAD_LETTERS, {}, memberA.headers(tenant.a)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(CANCEL, { id: jobA1 }, memberA.headers(tenant.a)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ADMIN_JOBS, {}, adminA.headers()))).toBe('FORBIDDEN');
    // Another tenant's ADMIN is not let into the tenant at all.
    expect(codeOf(await gql(JOBS, {}, adminB.headers(tenant.a)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(JOBS, { queue: 'nope' }, adminA.headers(tenant.a)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(JOBS, { after: 'garbage' }, adminA.headers(tenant.a)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(JOBS, { first: 101 }, adminA.headers(tenant.a)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(JOBS, {}, {}))).toBe('TENANT_REQUIRED');
  });

  it("cancels a job that has not started, once, with an event; another tenant's reads as NOT_FOUND", async () => {
    expect(codeOf(await gql(CANCEL, { id: jobB }, adminA.headers(tenant.a)))).toBe('NOT_FOUND');
    expect(codeOf(await gql(CANCEL, { id: platformJob }, adminA.headers(tenant.a)))).toBe(
      'NOT_FOUND',
    );
    expect(await queues[QueueName.MAINTENANCE]!.getJob(jobB.split(':')[1]!)).toBeDefined();

    expect(dataOf(await gql(CANCEL, { id: jobA1 }, adminA.headers(tenant.a)))).toEqual({
      cancelJob: true,
    });
    expect(await queues[QueueName.MAINTENANCE]!.getJob(jobA1.split(':')[1]!)).toBeUndefined();
    expect(codeOf(await gql(CANCEL, { id: jobA1 }, adminA.headers(tenant.a)))).toBe('NOT_FOUND');
    const [event] = await eventsOf(tenant.a, 'jobs.job.cancelled');
    expect(event?.payload).toEqual({ jobId: jobA1, queue: 'maintenance', name: 'report' });

    // Platform admins cancel platform work too.
    expect(
      dataOf(
        await gql(
          `mutation ($id: ID!) { adminCancelJob(id: $id) }`,
          { id: platformJob },
          platformAdmin.headers(),
        ),
      ),
    ).toEqual({ adminCancelJob: true });
    expect((await eventsOf(null, 'jobs.job.cancelled')).map((row) => row.payload.jobId)).toContain(
      platformJob,
    );
  });

  it('answers malformed and unknown job ids', async () => {
    for (const id of ['nonsense', 'nope:1', 'maintenance:', 'maintenance:a b']) {
      expect(codeOf(await gql(CANCEL, { id }, adminA.headers(tenant.a)))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await gql(CANCEL, { id: 'maintenance:999999' }, adminA.headers(tenant.a)))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await gql(RETRY, { id: 'maintenance:999999' }, adminA.headers(tenant.a)))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await gql(REPLAY, { id: 'not-a-uuid' }, adminA.headers(tenant.a)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(REPLAY, { id: randomUUID() }, adminA.headers(tenant.a)))).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses to cancel a running job, and cancels it once it waits for a retry', async () => {
    // Tenant C's purge asks auth first (PURGE_ORDER); with auth frozen it hangs there, running,
    // until the process resumes. (Auth then refuses: the tenant is live.)
    const auth = stack.processes.get('auth')!.child;
    auth.kill('SIGSTOP');
    let id: string;
    try {
      id = `${QueueName.TENANT_PURGE}:${await enqueueTenantPurge(queues[QueueName.TENANT_PURGE]!, tenant.c)}`;
      expect(id).toBe(`${QueueName.TENANT_PURGE}:${tenantPurgeJobId(tenant.c)}`);
      await eventually(async () => {
        const jobs = dataOf(
          await gql<{ jobs: { nodes: JobNode[] } }>(
            JOBS,
            { state: 'ACTIVE' },
            adminC.headers(tenant.c),
          ),
        ).jobs.nodes;
        return jobs.some((job) => job.id === id);
      });
      const refused = await gql(CANCEL, { id }, adminC.headers(tenant.c));
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(refused.body.errors?.[0]?.message).toMatch(/running/);
    } finally {
      auth.kill('SIGCONT');
    }
    // Tenancy refuses to purge a live tenant, so the job fails and waits for its retry.
    await eventually(async () => {
      const job = await queues[QueueName.TENANT_PURGE]!.getJob(tenantPurgeJobId(tenant.c));
      return job && (await job.getState()) === 'delayed';
    });
    expect(dataOf(await gql(CANCEL, { id: id! }, adminC.headers(tenant.c)))).toEqual({
      cancelJob: true,
    });
  });
});

describe('dead letters', () => {
  let failedJob: string;
  let deadLetter: DeadLetterNode;

  it('records a job that always fails as a dead letter once its attempts are spent, with an event', async () => {
    failedJob = await addJob(QueueName.MAINTENANCE, 'always-fails', tenant.a, { attempts: 2 });
    const letters = await eventually(async () => {
      const found = (await deadLettersOf(adminA, tenant.a)).filter(
        (letter) => letter.job.id === failedJob,
      );
      return found.length > 0 ? found : null;
    });
    expect(letters).toHaveLength(1);
    deadLetter = letters[0]!;
    expect(deadLetter).toMatchObject({
      queue: 'maintenance',
      reason: 'no processor for job always-fails',
      replayedAt: null,
      tenantId: tenant.a,
      job: { id: failedJob, name: 'always-fails', state: 'FAILED', attemptsMade: 2, attempts: 2 },
    });

    const [event] = await eventsOf(tenant.a, 'jobs.job.dead_lettered');
    expect(event?.payload).toMatchObject({
      deadLetterId: deadLetter.id,
      queue: 'maintenance',
      jobId: failedJob,
      name: 'always-fails',
      attemptsMade: 2,
    });
    // The event carries the request that enqueued the job.
    expect(event?.request_id).toBe(deadLetter.job.requestId);
    expect(
      metricValue(await scrape(stack.url('worker')), 'tessera_dead_letters_total', {
        queue: 'maintenance',
      }),
    ).toBeGreaterThanOrEqual(1);

    // Other tenants do not see it, platform admins do.
    expect((await deadLettersOf(adminB, tenant.b)).map((letter) => letter.id)).not.toContain(
      deadLetter.id,
    );
    const all = dataOf(
      await gql<{ adminDeadLetters: { nodes: DeadLetterNode[] } }>(
        `{ adminDeadLetters(first: 100) { nodes { id tenantId } } }`,
        {},
        platformAdmin.headers(),
      ),
    ).adminDeadLetters.nodes;
    expect(all).toContainEqual({ id: deadLetter.id, tenantId: tenant.a });
  });

  it('retries a failed job; failing again is a new dead letter', async () => {
    expect(codeOf(await gql(RETRY, { id: failedJob }, adminB.headers(tenant.b)))).toBe('NOT_FOUND');
    const retried = dataOf(
      await gql<{ retryJob: JobNode }>(RETRY, { id: failedJob }, adminA.headers(tenant.a)),
    ).retryJob;
    expect(retried.id).toBe(failedJob);
    expect(retried.state).not.toBe('COMPLETED');
    expect((await eventsOf(tenant.a, 'jobs.job.retried')).map((row) => row.payload.jobId)).toEqual([
      failedJob,
    ]);
    const letters = await eventually(async () => {
      const found = (await deadLettersOf(adminA, tenant.a)).filter(
        (letter) => letter.job.id === failedJob,
      );
      return found.length === 2 ? found : null;
    });
    // The retry closed the first dead letter; the new failure opened another.
    expect(letters.find((letter) => letter.id === deadLetter.id)?.replayedAt).not.toBeNull();
    expect(letters.find((letter) => letter.id !== deadLetter.id)?.replayedAt).toBeNull();
    // A job that is not failed cannot be retried.
    const waiting = await addJob(QueueName.MAINTENANCE, 'report', tenant.a, { delay: 3_600_000 });
    expect(codeOf(await gql(RETRY, { id: waiting }, adminA.headers(tenant.a)))).toBe('CONFLICT');
  });

  it('replays a dead letter as a new job, once, with an event', async () => {
    const open = (await deadLettersOf(adminA, tenant.a)).find(
      (letter) => letter.job.id === failedJob && letter.replayedAt === null,
    )!;
    expect(codeOf(await gql(REPLAY, { id: open.id }, adminB.headers(tenant.b)))).toBe('NOT_FOUND');
    const replayed = dataOf(
      await gql<{ replayDeadLetter: JobNode }>(REPLAY, { id: open.id }, adminA.headers(tenant.a)),
    ).replayDeadLetter;
    expect(replayed.id).not.toBe(failedJob);
    expect(replayed).toMatchObject({
      queue: 'maintenance',
      name: 'always-fails',
      tenantId: tenant.a,
      data: { replayOf: open.id, reportId: open.job.data.reportId },
    });
    // Correlated with the replaying request, not the original one.
    expect(replayed.requestId).not.toBe(open.job.requestId);

    const [event] = await eventsOf(tenant.a, 'jobs.dead_letter.replayed');
    expect(event?.payload).toEqual({
      deadLetterId: open.id,
      queue: 'maintenance',
      failedJobId: failedJob,
      jobId: replayed.id,
    });
    const again = await gql(REPLAY, { id: open.id }, adminA.headers(tenant.a));
    expect(codeOf(again)).toBe('CONFLICT');

    const letters = await deadLettersOf(adminA, tenant.a);
    expect(letters.find((letter) => letter.id === open.id)).toMatchObject({
      replayedJobId: replayed.id,
    });
    expect(letters.find((letter) => letter.id === open.id)?.replayedAt).not.toBeNull();
    // The replay fails as well, and becomes a dead letter of its own.
    await eventually(async () =>
      (await deadLettersOf(adminA, tenant.a)).some((letter) => letter.job.id === replayed.id),
    );
  });

  it('lets platform admins replay any dead letter, platform jobs included', async () => {
    const platformFailure = await addJob(QueueName.MAINTENANCE, 'always-fails', null);
    const letter = await eventually(async () => {
      const nodes = dataOf(
        await gql<{ adminDeadLetters: { nodes: DeadLetterNode[] } }>(
          `{ adminDeadLetters(first: 100) { nodes { id tenantId job { id } } } }`,
          {},
          platformAdmin.headers(),
        ),
      ).adminDeadLetters.nodes;
      return nodes.find((node) => node.job.id === platformFailure);
    });
    expect(letter.tenantId).toBeNull();
    expect(
      (await eventsOf(null, 'jobs.job.dead_lettered')).map((row) => row.payload.jobId),
    ).toContain(platformFailure);
    // Not a tenant's to see or replay.
    expect(codeOf(await gql(REPLAY, { id: letter.id }, adminA.headers(tenant.a)))).toBe(
      'NOT_FOUND',
    );
    const replayed = dataOf(
      await gql<{ adminReplayDeadLetter: JobNode }>(
        `mutation ($id: ID!) { adminReplayDeadLetter(id: $id) { ${JOB} } }`,
        { id: letter.id },
        platformAdmin.headers(),
      ),
    ).adminReplayDeadLetter;
    expect(replayed).toMatchObject({ name: 'always-fails', tenantId: null });
  });
});
