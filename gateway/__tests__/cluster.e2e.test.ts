import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBenchSubgraphs, type BenchSubgraphs } from '../../bench/gateway/bench-subgraphs';
import { eventually } from '../../testing/eventually';
import { freePort } from '../../testing/free-port';
import { tesseraGenericEnv } from '../../bench/gateway/gateways';
import { ConfigError, parseConfig } from '../../platform/config/load';
import { repoRoot } from '../../platform/paths';
import { gatewayConfigShape } from '../config';

// The gateway in generic mode (no PostgreSQL, no Redis) with GATEWAY_WORKERS=2 in front of the
// bench subgraphs, as an operator would run it: one port, one primary, two workers.

interface Answer {
  status: number;
  worker: string | undefined;
  body: string;
}

interface RunningCluster {
  child: ChildProcess;
  port: number;
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startCluster(
  supergraphPath: string,
  port: number,
  workers: string,
  env: NodeJS.ProcessEnv = {},
): RunningCluster {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'gateway', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      ...tesseraGenericEnv(supergraphPath, port),
      GATEWAY_WORKERS: workers,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a log line; nothing here waits for it.
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, port, logs, stderr, exited };
}

/** Resolves with the `count`-th log line matching, once the gateway has printed it. */
async function logLine(
  running: RunningCluster,
  matches: (line: Record<string, unknown>) => boolean,
  count = 1,
): Promise<Record<string, unknown>> {
  return eventually(
    () => {
      const found = running.logs.filter(matches);
      if (found.length >= count) return found[count - 1]!;
      if (running.child.exitCode !== null) throw new Error('the gateway exited');
      return undefined;
    },
    60_000,
    `log line ${count}`,
  );
}

/** One request on a connection of its own, so the primary hands each to the next worker. */
function send(port: number, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body ? 'POST' : 'GET',
        agent: false,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            worker: res.headers['x-gateway-worker'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const QUERY = JSON.stringify({ query: 'query ClusterProbe { topProducts { upc name } }' });

async function queries(port: number, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await send(port, '/graphql', QUERY));
  return answers;
}

/** GraphQL POSTs answered 200, as one scrape of /metrics counts them. */
function graphqlRequests(metrics: string): number {
  return metrics
    .split('\n')
    .filter((line) =>
      line.startsWith('tessera_http_requests_total{method="POST",route="graphql",status="200"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const listening = (line: Record<string, unknown>) => line.msg === 'worker listening';

describe('gateway cluster (GATEWAY_WORKERS=2)', () => {
  let subgraphs: BenchSubgraphs;
  let gateway: RunningCluster;
  /** As in production: /metrics on a port of its own, which every worker shares too. */
  let metricsPort: number;

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs();
    metricsPort = await freePort();
    gateway = startCluster(subgraphs.supergraphPath, await freePort(), '2', {
      GATEWAY_METRICS_PORT: String(metricsPort),
    });
    await logLine(gateway, listening, 2);
  });

  afterAll(async () => {
    if (gateway?.child.exitCode === null && gateway.child.signalCode === null) {
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    }
    await subgraphs?.stop();
  });

  // The tests below run in order against the one cluster: the last one stops it.

  it('answers from both workers and serves the summed request count from whichever answers /metrics on the metrics port', async () => {
    const answers = await queries(gateway.port, 20);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(JSON.parse(answers[0]!.body)).toMatchObject({
      data: { topProducts: expect.any(Array) },
    });
    expect(new Set(answers.map((answer) => answer.worker))).toEqual(new Set(['1', '2']));

    const scrapes = await Promise.all([0, 1, 2, 3].map(() => send(metricsPort, '/metrics')));
    expect(new Set(scrapes.map((scrape) => scrape.worker))).toEqual(new Set(['1', '2']));
    for (const scrape of scrapes) {
      expect(scrape.status).toBe(200);
      expect(graphqlRequests(scrape.body)).toBe(20);
    }
    expect((await send(gateway.port, '/metrics')).status).toBe(404);
  });

  it('restarts a worker killed with SIGKILL while the other keeps answering', async () => {
    const victim = await logLine(gateway, listening);
    process.kill(victim.pid as number, 'SIGKILL');
    const death = await logLine(
      gateway,
      (line) => line.msg === 'worker died; restarting it' && line.pid === victim.pid,
    );
    expect(death).toMatchObject({ level: 'error', code: null, signal: 'SIGKILL' });

    const meanwhile = await queries(gateway.port, 10);
    expect(meanwhile.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    // The replacement may be starting: a scrape counts the workers serving, and still answers.
    const scrape = await send(metricsPort, '/metrics');
    expect(scrape.status).toBe(200);
    expect(graphqlRequests(scrape.body)).toBeGreaterThanOrEqual(10);

    const replacement = await logLine(gateway, listening, 3);
    expect(replacement.worker).toBe(3);
    const after = await queries(gateway.port, 10);
    expect(after.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(after.map((answer) => answer.worker)).toContain('3');
  });

  it('drains every worker on SIGTERM, exits 0 and frees the ports', async () => {
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.logs.filter((line) => line.msg === 'worker stopped')).toHaveLength(2);

    for (const port of [gateway.port, metricsPort]) {
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(port, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => probe.close(resolve));
    }
  });

  it('refuses a bad GATEWAY_WORKERS with one line naming it, before forking anything', async () => {
    const refused = startCluster(subgraphs.supergraphPath, await freePort(), 'lots');
    expect(await refused.exited).toBe(1);
    expect(refused.stderr).toEqual([
      'config error: GATEWAY_WORKERS: must be auto or a whole number between 1 and 64 (got "lots")',
    ]);
    expect(refused.logs).toEqual([]);
  });
});

describe('gateway cluster failures', () => {
  let subgraphs: BenchSubgraphs;
  const started: RunningCluster[] = [];

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs();
  });

  afterAll(async () => {
    for (const running of started) {
      if (running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGKILL');
        await running.exited;
      }
    }
    await subgraphs?.stop();
  });

  it('kills a worker that does not stop within the grace period and exits 1', async () => {
    const gateway = startCluster(subgraphs.supergraphPath, await freePort(), '2', {
      SHUTDOWN_GRACE_MS: '0',
    });
    started.push(gateway);
    const stuck = await logLine(gateway, listening);
    await logLine(gateway, listening, 2);
    // A stopped process cannot drain: it stands for a worker stuck in a busy loop.
    process.kill(stuck.pid as number, 'SIGSTOP');

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(1);
    expect(
      gateway.logs.find((line) => line.msg === 'worker did not stop in time; killing it'),
    ).toMatchObject({ pid: stuck.pid });
  });

  it('stops restarting workers that keep dying at start and exits 1', async () => {
    // Workers read the supergraph at start; the primary does not, so it keeps forking them.
    const gateway = startCluster('/nonexistent/supergraph.graphql', await freePort(), '2');
    started.push(gateway);
    expect(await gateway.exited).toBe(1);
    expect(gateway.logs.find((line) => line.level === 'fatal')).toMatchObject({
      msg: 'worker keeps dying soon after start; stopping the gateway',
      code: 1,
    });
    expect(gateway.logs.filter((line) => line.msg === 'worker listening')).toEqual([]);
  });
});

describe('GATEWAY_WORKERS', () => {
  const workers = (value: string | undefined) => {
    try {
      return parseConfig(gatewayConfigShape, { GATEWAY_WORKERS: value }).GATEWAY_WORKERS;
    } catch (error) {
      if (error instanceof ConfigError) return error.lines;
      throw error;
    }
  };

  it('defaults to one process and takes auto as the CPUs available', () => {
    expect(workers(undefined)).toBe(1);
    expect(workers('4')).toBe(4);
    expect(workers('auto')).toBe(Math.min(availableParallelism(), 64));
  });

  it('refuses 0, more than 64 and fractions', () => {
    for (const value of ['0', '65', '1.5']) {
      expect(workers(value)).toEqual([
        `config error: GATEWAY_WORKERS: must be auto or a whole number between 1 and 64 (got "${value}")`,
      ]);
    }
  });
});
