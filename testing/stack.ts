import { failuresSoFar, printTroubleOf } from './failure-logs';
import { freePort } from './free-port';
import {
  launchService,
  type LaunchedService,
  type ServiceName,
  type ServiceProcess,
} from '../scripts/lib/service-process';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/paths';
import { createTestDatabase, type TestDatabase } from './database';
import { cleanupRedisPrefix, testRedisPrefix } from './redis';
import type { TestReplica } from './replica';
import { generateTestServiceKeys, type TestServiceKeys } from './service-keys';
import { TEST_REDIS_URL } from './services';

export interface LogLine {
  service: ServiceName;
  stream: 'stdout' | 'stderr';
  line: string;
  /** The parsed JSON entry, when the line is one. */
  entry?: Record<string, unknown>;
}

export interface TestStack {
  db: TestDatabase;
  redisPrefix: string;
  /** The environment every process got (before its own PORT and database URL). */
  env: NodeJS.ProcessEnv;
  /** What a process of `service` gets: `env` and, for all but the gateway, its database URL. */
  envOf(service: ServiceName): NodeJS.ProcessEnv;
  /** The processes' signing keys (fresh for each stack; every key is in `env`). */
  keys: TestServiceKeys;
  processes: Map<ServiceName, ServiceProcess>;
  gatewayUrl: string;
  logs: LogLine[];
  url(service: ServiceName): string;
  /**
   * SIGTERMs every process (gateway first) and returns each exit code; drops the database.
   * When a test failed meanwhile, then prints the processes' warnings and errors.
   */
  stop(): Promise<Record<string, number | string>>;
}

export interface StackOptions {
  /** Subgraphs to run; all five by default. The gateway always runs. */
  subgraphs?: readonly SubgraphName[];
  worker?: boolean;
  env?: Record<string, string>;
  /** A streaming replica every subgraph reads from (READ_DATABASE_URL, as its own role). */
  replica?: Pick<TestReplica, 'urlOf'>;
  /** Node options for every process (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  execArgv?: string[];
}

/**
 * The real processes from `dist/`, on free ports, against a database and Redis prefix of
 * their own: what end-to-end tests drive with real clients.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const redisPrefix = testRedisPrefix();
  const logs: LogLine[] = [];
  const processes = new Map<ServiceName, ServiceProcess>();
  // Every process spawned, listening or not: a failed start kills them all.
  const launched: LaunchedService[] = [];
  const keys = generateTestServiceKeys();
  const env = stackEnv(redisPrefix, keys, options.env);

  // Each process connects as its own role, as in production.
  const envOf = (name: ServiceName): NodeJS.ProcessEnv => {
    if (name === 'gateway') return env;
    const reads =
      options.replica && name !== 'worker'
        ? { READ_DATABASE_URL: options.replica.urlOf(db.urlAs(name)) }
        : {};
    return { ...env, DATABASE_URL: db.urlAs(name), ...reads };
  };
  const start = async (name: ServiceName, extra: Record<string, string> = {}) => {
    const launch = launchService(name, {
      env: { ...envOf(name), ...extra },
      execArgv: options.execArgv,
      onLine: (line, stream) => logs.push({ service: name, stream, line, entry: parseEntry(line) }),
    });
    launched.push(launch);
    const service = await launch.ready;
    processes.set(name, service);
    return service;
  };

  // A drain is given its grace period and a margin; a process that hangs past it (waiting
  // on a dependency a test took away) is killed, so a teardown always ends.
  const killAfterMs = (Number(env.SHUTDOWN_GRACE_MS) || 10_000) + 10_000;
  const failedBefore = failuresSoFar();
  const stopAll = async () => {
    const codes = await stopStack(processes, killAfterMs, db, redisPrefix);
    if (failuresSoFar() > failedBefore) printTroubleOf(logs, 'a test of this stack failed');
    return codes;
  };

  try {
    const gateway = await startInOrder(options, start, processes);
    return {
      db,
      redisPrefix,
      env,
      envOf,
      keys,
      processes,
      gatewayUrl: `${gateway.url}/graphql`,
      logs,
      url: (service) => processes.get(service)!.url,
      stop: stopAll,
    };
  } catch (error) {
    await Promise.all(launched.map((service) => service.stop('SIGKILL')));
    await db.drop();
    printTroubleOf(logs, 'the stack did not start');
    throw error;
  }
}

/** The environment every process of a stack gets. */
function stackEnv(
  redisPrefix: string,
  keys: TestServiceKeys,
  extra: Record<string, string> | undefined,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_POOL_MAX: '3',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    ...keys.env,
    SHUTDOWN_GRACE_MS: '5000',
    // The worker yields the CPU to the API by default (WORKER_NICE); on a test machine where
    // every process shares two cores with the test runner, that only makes waits longer.
    WORKER_NICE: '0',
    ...extra,
  };
}

/** SIGTERMs the gateway first (no new requests reach the others), then every other process. */
async function stopStack(
  processes: Map<ServiceName, ServiceProcess>,
  killAfterMs: number,
  db: TestDatabase,
  redisPrefix: string,
): Promise<Record<string, number | string>> {
  const codes: Record<string, number | string> = {};
  const gateway = processes.get('gateway');
  if (gateway) codes.gateway = await gateway.stop('SIGTERM', killAfterMs);
  await Promise.all(
    [...processes]
      .filter(([name]) => name !== 'gateway')
      .map(async ([name, service]) => {
        codes[name] = await service.stop('SIGTERM', killAfterMs);
      }),
  );
  await db.drop();
  await cleanupRedisPrefix(redisPrefix);
  return codes;
}

/**
 * Starts the subgraphs, the worker and the gateway in the order their calls to one another
 * need; resolves with the gateway.
 */
async function startInOrder(
  options: StackOptions,
  start: (name: ServiceName, extra?: Record<string, string>) => Promise<ServiceProcess>,
  processes: Map<ServiceName, ServiceProcess>,
): Promise<ServiceProcess> {
  const subgraphs = options.subgraphs ?? SUBGRAPH_NAMES;
  // Auth and tenancy call each other's internal routes (OAuth providers; verified addresses
  // and API key revocations): auth's port is chosen first, tenancy starts before auth.
  const internal: Record<string, string> = {};
  const authPort = subgraphs.includes('auth') ? String(await freePort()) : '0';
  if (subgraphs.includes('auth')) internal.AUTH_INTERNAL_URL = `http://127.0.0.1:${authPort}`;
  if (subgraphs.includes('tenancy')) {
    internal.TENANCY_INTERNAL_URL = (await start('tenancy', internal)).url;
  }
  // Assets asks auth who created an uploading API key, so auth starts before it.
  if (subgraphs.includes('auth') && subgraphs.includes('assets')) {
    await start('auth', { ...internal, PORT: authPort });
  }
  await Promise.all(
    subgraphs
      .filter((name) => !processes.has(name) && name !== 'observability')
      .map((name) => start(name, name === 'auth' ? { ...internal, PORT: authPort } : internal)),
  );
  const subgraphUrls = () =>
    Object.fromEntries(
      subgraphs
        .filter((name) => processes.has(name))
        .map((name) => [
          `SUBGRAPH_${name.toUpperCase()}_URL`,
          `${processes.get(name)!.url}/graphql`,
        ]),
    );
  // Observability probes every other process (health, alert metrics), the gateway and the
  // worker included, which start after it: their ports are chosen now.
  const [gatewayPort, workerPort] = await Promise.all([freePort(), freePort()]);
  if (subgraphs.includes('observability')) {
    await start('observability', {
      ...internal,
      ...subgraphUrls(),
      GATEWAY_INTERNAL_URL: `http://127.0.0.1:${gatewayPort}`,
      WORKER_INTERNAL_URL: `http://127.0.0.1:${workerPort}`,
    });
  }
  const urls = subgraphUrls();
  // The worker calls the subgraphs' internal routes (tenant purges), so it starts after them.
  if (options.worker) await start('worker', { ...urls, PORT: String(workerPort) });
  return start('gateway', { ...urls, PORT: String(gatewayPort) });
}

function parseEntry(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
