import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import pino from 'pino';
import { JobName, QueueName } from '../../platform/contracts/jobs/queue-names';
import { closeRedis, createRedis, queuePrefix } from '../../platform/redis/connection';
import { waitFor } from '../ws-client';
import { spawnService, type ServiceName } from '../../scripts/lib/service-process';
import { SUBGRAPH_NAMES } from '../../platform/paths';
import type { TestDatabase } from '../database';
import { signUpMember, type TestUser } from '../members';
import { startStack, type StackOptions, type TestStack } from '../stack';
import type { TrafficRequest } from './traffic';

/**
 * What every chaos stack runs with: limits high enough that the load the suite drives is
 * never refused for being load (the rate limit scenarios set their own), and a relay that
 * takes over and catches up quickly.
 */
export const CHAOS_ENV: Record<string, string> = {
  GATEWAY_RATE_LIMIT_PER_IP: '1000000',
  GATEWAY_RATE_LIMIT_PER_USER: '1000000',
  GATEWAY_RATE_LIMIT_PER_TENANT: '10000000',
  GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '1000000',
  RELAY_POLL_MS: '200',
  RELAY_LOCK_RETRY_MS: '200',
  DATABASE_CONNECT_TIMEOUT_MS: '2000',
  // A circuit opened by a fault probes again within a second of the repair, so the scenarios'
  // recovery figures measure the processes, not the gateway's cool-down.
  GATEWAY_BREAKER_COOL_DOWN_MS: '1000',
};

/** The subgraphs the chaos traffic touches (assets needs a blob store and is left out). */
export const CHAOS_SUBGRAPHS = ['auth', 'tenancy', 'jobs', 'observability'] as const;

export function startChaosStack(options: StackOptions = {}): Promise<TestStack> {
  return startStack({
    subgraphs: CHAOS_SUBGRAPHS,
    worker: true,
    ...options,
    env: { ...CHAOS_ENV, ...options.env },
  });
}

export interface ChaosTenant {
  tenantId: string;
  owner: TestUser;
  /** graphql-ws connectionParams of the owner in this tenant. */
  connectionParams: Record<string, unknown>;
}

/** A tenant with an OWNER signed up through the gateway. */
export async function createTenant(stack: TestStack, gatewayUrl = stack.gatewayUrl) {
  const tenantId = randomUUID();
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Chaos')`, [
    tenantId,
    `chaos-${tenantId.slice(0, 8)}`,
  ]);
  const owner = await signUpMember(gatewayUrl, stack.db, tenantId, 'OWNER');
  return {
    tenantId,
    owner,
    connectionParams: { authorization: `Bearer ${owner.accessToken}`, tenantId },
  } satisfies ChaosTenant;
}

export async function latestSeq(db: TestDatabase, tenantId: string): Promise<bigint> {
  const [row] = await db.query<{ seq: string | null }>(
    `SELECT max(seq)::text AS seq FROM events.events WHERE tenant_id = $1`,
    [tenantId],
  );
  return BigInt(row?.seq ?? 0);
}

/** Every seq committed to the tenant's journal after `afterSeq`: what subscribers must get. */
export async function writtenSeqs(
  db: TestDatabase,
  tenantId: string,
  afterSeq: bigint,
): Promise<bigint[]> {
  const rows = await db.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM events.events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq`,
    [tenantId, afterSeq.toString()],
  );
  return rows.map((row) => BigInt(row.seq));
}

/** Journal rows of the whole database the relay has not published yet. */
export async function unpublishedCount(db: TestDatabase): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events.events WHERE published_at IS NULL`,
  );
  return row?.n ?? 0;
}

/**
 * The environment `name` was started with in `stack` (startStack hands each process the URLs
 * of the others it calls), for starting it again or starting one more of it.
 */
export function serviceEnv(stack: TestStack, name: ServiceName): NodeJS.ProcessEnv {
  const running = (service: ServiceName) => stack.processes.has(service);
  const subgraphUrls = Object.fromEntries(
    SUBGRAPH_NAMES.filter(running).map((subgraph) => [
      `SUBGRAPH_${subgraph.toUpperCase()}_URL`,
      `${stack.url(subgraph)}/graphql`,
    ]),
  );
  const internal: Record<string, string> = {};
  if (running('tenancy')) internal.TENANCY_INTERNAL_URL = stack.url('tenancy');
  if (running('auth')) internal.AUTH_INTERNAL_URL = stack.url('auth');
  const extra = name === 'gateway' || name === 'worker' ? subgraphUrls : internal;
  return { ...stack.envOf(name), ...extra, PORT: '0' };
}

/**
 * Starts `name` again on the port it had (after it was stopped or killed), in place of the old process,
 * so `stack.stop()` stops the new one and the others' URLs stay right.
 */
export async function restartService(
  stack: TestStack,
  name: ServiceName,
  extraEnv: Record<string, string> = {},
): Promise<void> {
  const old = stack.processes.get(name)!;
  await old.exited;
  const service = await spawnService(name, {
    env: { ...serviceEnv(stack, name), ...extraEnv, PORT: String(old.port) },
    onLine: (line, stream) => stack.logs.push({ service: name, stream, line }),
  });
  stack.processes.set(name, service);
}

/** Resident set size of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A write as the tenant's OWNER: renames the tenant, which appends one journal event. */
export function tenantWrite(tenant: ChaosTenant) {
  const headers = tenant.owner.headers(tenant.tenantId);
  return (n: number, worker: number): TrafficRequest => ({
    query: 'mutation ($n: String) { updateTenant(name: $n) { name } }',
    variables: { n: `Chaos ${worker}-${n}` },
    headers,
    writes: true,
  });
}

/**
 * The chaos suite's request mix, one tenant's OWNER at work: a write that appends an event
 * (tenancy), reads across tenancy, auth and jobs, and the tenantless health (observability).
 */
export function mixedOperations(tenant: ChaosTenant) {
  const headers = tenant.owner.headers(tenant.tenantId);
  const write = tenantWrite(tenant);
  const reads: TrafficRequest[] = [
    { query: '{ tenant { id name } }', headers },
    { query: '{ me { id email } }', headers: tenant.owner.headers() },
    { query: '{ events(first: 5) { nodes { seq type } } }', headers },
    { query: '{ health { status } }' },
  ];
  return (n: number, worker: number): TrafficRequest =>
    n % 5 === 0 ? write(n, worker) : reads[(n % 5) - 1]!;
}

/**
 * Adds a maintenance job to the stack's queues, through the same connection factory the
 * processes use (standalone, Sentinel or Cluster, as `env` says), and resolves with its state
 * once a worker finished it: the proof that BullMQ works on that Redis.
 */
export async function runMaintenanceJob(
  stack: TestStack,
  env: Record<string, string> = {},
): Promise<string> {
  const redisEnv = { ...stack.env, ...env };
  const connection = createRedis(
    {
      REDIS_MODE: (redisEnv.REDIS_MODE ?? 'standalone') as 'standalone' | 'sentinel' | 'cluster',
      REDIS_URL: redisEnv.REDIS_URL!,
      REDIS_NODES: redisEnv.REDIS_NODES ? redisEnv.REDIS_NODES.split(',') : [],
      REDIS_SENTINEL_NAME: redisEnv.REDIS_SENTINEL_NAME ?? 'mymaster',
      REDIS_PREFIX: stack.redisPrefix,
      REDIS_COMMAND_TIMEOUT_MS: 1_000,
    },
    pino({ level: 'silent' }),
    { name: 'chaos:queue', blocking: true },
  );
  const queue = new Queue(QueueName.MAINTENANCE, {
    connection,
    prefix: queuePrefix(stack.redisPrefix),
  });
  try {
    const job = await queue.add(JobName.PURGE_FINISHED_JOBS, {});
    let state = await job.getState();
    await waitFor(async () => {
      state = await queue.getJobState(job.id!);
      return state === 'completed' || state === 'failed';
    }, 20_000).catch(() => undefined);
    return state;
  } finally {
    await queue.close();
    await closeRedis(connection);
  }
}
