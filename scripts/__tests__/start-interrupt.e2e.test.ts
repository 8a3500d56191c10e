import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../platform/paths';
import { createTestDatabase, type TestDatabase } from '../../testing/database';
import { eventually } from '../../testing/eventually';
import { freePort } from '../../testing/free-port';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import { generateTestServiceKeys } from '../../testing/service-keys';

// `npm start` (dist/scripts/start.js) interrupted at each stage of its startup: whenever the
// Ctrl-C comes, every process it spawned is gone when it exits, and none is spawned after it.

interface Launcher {
  child: ChildProcess;
  lines: string[];
  /** The pids the launcher said it started, by process name. */
  pids: Map<string, number>;
  exit: Promise<number | string>;
}

const startedLine = /^(\w+): started \(pid (\d+)\)$/;

let db: TestDatabase;
let redisPrefix: string;
let launcher: Launcher | undefined;

beforeEach(async () => {
  db = await createTestDatabase();
  redisPrefix = testRedisPrefix();
});

afterEach(async () => {
  // Bounded cleanup even when an assertion failed midway: nothing outlives the test.
  if (launcher) {
    for (const pid of [...launcher.pids.values(), launcher.child.pid]) killQuietly(pid);
    await launcher.exit;
  }
  launcher = undefined;
  await db.drop();
  await cleanupRedisPrefix(redisPrefix);
});

async function launch(): Promise<Launcher> {
  const ports = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const [gateway, auth, tenancy, assets, jobs, observability, worker] = ports.map(String);
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/scripts/start.js')], {
    env: {
      ...process.env,
      ...generateTestServiceKeys().env,
      NODE_ENV: 'test',
      MIGRATION_DATABASE_URL: db.ownerUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      DATABASE_POOL_MAX: '2',
      PORT: gateway,
      AUTH_PORT: auth,
      TENANCY_PORT: tenancy,
      ASSETS_PORT: assets,
      JOBS_PORT: jobs,
      OBSERVABILITY_PORT: observability,
      WORKER_PORT: worker,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Launcher = {
    child,
    lines: [],
    pids: new Map(),
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!))),
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      started.lines.push(line);
      const match = startedLine.exec(line);
      if (match) started.pids.set(match[1]!, Number(match[2]));
    });
  }
  launcher = started;
  return started;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number | undefined): void {
  if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function interruptAndCheckNothingRemains(started: Launcher): Promise<void> {
  started.child.kill('SIGINT');
  expect(await started.exit).toBe(0);
  const survivors = [...started.pids].filter(([, pid]) => isAlive(pid));
  expect(survivors).toEqual([]);
}

describe('npm start interrupted', () => {
  it('stops the processes it has just spawned, before any of them listens', async () => {
    const started = await launch();
    await eventually(() => started.pids.size > 0, 60_000);
    await interruptAndCheckNothingRemains(started);
    expect(started.pids.size).toBeGreaterThan(0);
    expect(started.pids.has('gateway')).toBe(false);
    expect(started.lines.join('\n')).not.toContain('Tessera is up');
    expect(started.lines.join('\n')).not.toContain('exited unexpectedly');
  });

  it('stops everything while the gateway is still starting', async () => {
    const started = await launch();
    await eventually(() => started.pids.has('gateway'), 90_000);
    await interruptAndCheckNothingRemains(started);
    expect([...started.pids.keys()].sort()).toEqual(
      ['assets', 'auth', 'gateway', 'jobs', 'observability', 'tenancy', 'worker'].sort(),
    );
  });

  it('stops everything once it is up, each process draining cleanly', async () => {
    const started = await launch();
    await eventually(() => started.lines.some((line) => line.includes('Tessera is up')), 90_000);
    await interruptAndCheckNothingRemains(started);
    expect(started.lines.join('\n')).not.toContain('not stopped cleanly');
  });
});
