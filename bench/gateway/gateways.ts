import { join } from 'node:path';
import { repoRoot } from '../../platform/paths';
import { SERVICE_NODE_FLAGS } from '../../scripts/lib/service-process';
import { freePort, startProcess, type BenchProcess } from './child-process';

export type GatewayKey =
  'stock' | 'hive-jit' | 'hive-router' | 'tessera' | 'tessera-no-dedup' | 'tessera-cluster';

export interface GatewayUnderTest {
  key: GatewayKey;
  /** As printed in the results table. */
  name: string;
  start(supergraphPath: string): Promise<BenchProcess>;
}

// Every gateway runs as it would be deployed: NODE_ENV=production (graphql-js and Apollo
// skip development-only checks), its own process, logs at info (no line per request).
const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  // Apollo's libraries otherwise send anonymous start-up telemetry.
  APOLLO_TELEMETRY_DISABLED: 'true',
});

const CLUSTER_WORKERS = 2;

const hiveBin = () =>
  join(repoRoot(), 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');

async function startHive(label: string, supergraphPath: string, flag: string) {
  const port = await freePort();
  const running = await startProcess({
    label,
    args: [
      hiveBin(),
      'supergraph',
      supergraphPath,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      flag,
    ],
    port,
    env: baseEnv(),
  });
  // The CLI falls back to its JavaScript runtime with only a warning when the router runtime
  // cannot load; measuring that under the router runtime's name would be a lie.
  if (
    flag === '--hive-router-runtime' &&
    /Could not load the @graphql-hive\/router-runtime/.test(running.output())
  ) {
    await running.stop();
    throw new Error(`${label}: the router runtime did not load:\n${running.output()}`);
  }
  return running;
}

export const GATEWAYS: GatewayUnderTest[] = [
  {
    key: 'stock',
    name: '@apollo/gateway (stock)',
    start: async (supergraphPath) => {
      const port = await freePort();
      return startProcess({
        label: 'stock @apollo/gateway',
        args: [
          join(repoRoot(), 'dist', 'bench', 'gateway', 'stock-gateway.js'),
          supergraphPath,
          String(port),
        ],
        port,
        env: baseEnv(),
      });
    },
  },
  {
    key: 'hive-jit',
    name: 'Hive Gateway --jit',
    start: (supergraphPath) => startHive('hive-gateway --jit', supergraphPath, '--jit'),
  },
  {
    key: 'hive-router',
    name: 'Hive Gateway --hive-router-runtime',
    start: (supergraphPath) =>
      startHive('hive-gateway --hive-router-runtime', supergraphPath, '--hive-router-runtime'),
  },
  {
    // The headline: identical concurrent queries each run on their own, as every other
    // gateway here runs them, so the row measures what the executor does per request.
    key: 'tessera-no-dedup',
    name: 'Tessera (generic mode, no query deduplication)',
    start: (supergraphPath) =>
      startTessera('Tessera gateway without deduplication', supergraphPath, {
        GATEWAY_DEDUPLICATE_QUERIES: 'false',
      }),
  },
  {
    // As shipped, beside the headline and never as it: the bench's load repeats one query
    // from every connection, so deduplication shares answers real traffic rarely could.
    key: 'tessera',
    name: 'Tessera (generic mode, deduplication on; not a headline)',
    start: (supergraphPath) => startTessera('Tessera gateway', supergraphPath),
  },
  // Not the headline comparison (the other gateways run one process): this row shows what
  // GATEWAY_WORKERS buys on this machine, where the workers share the cores with the
  // subgraphs and the load generator.
  {
    key: 'tessera-cluster',
    name: `Tessera (generic mode, ${CLUSTER_WORKERS} workers)`,
    start: async (supergraphPath) => {
      const running = await startTessera(
        `Tessera gateway, ${CLUSTER_WORKERS} workers`,
        supergraphPath,
        { GATEWAY_WORKERS: String(CLUSTER_WORKERS) },
      );
      await everyWorkerListening(running, CLUSTER_WORKERS);
      return running;
    },
  },
];

async function startTessera(label: string, supergraphPath: string, env: NodeJS.ProcessEnv = {}) {
  const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
  const running = await startProcess({
    label,
    // With the Node flags it is deployed with (the Dockerfile's command).
    args: [...(SERVICE_NODE_FLAGS.gateway ?? []), join(repoRoot(), 'dist', 'gateway', 'main.js')],
    port,
    env: {
      ...baseEnv(),
      ...tesseraGenericEnv(supergraphPath, port),
      // Production keeps /metrics off the public port.
      GATEWAY_METRICS_PORT: String(metricsPort),
      ...env,
    },
  });
  return { ...running, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * The first worker to listen already answers the start-up probe; the rest must listen too,
 * or the first seconds of load would measure fewer workers than the row says.
 */
async function everyWorkerListening(running: BenchProcess, workers: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  const listening = () => running.output().match(/"msg":"worker listening"/g)?.length ?? 0;
  while (listening() < workers) {
    if (Date.now() > deadline || running.child.exitCode !== null) {
      await running.stop();
      throw new Error(`${running.label}: not every worker listened:\n${running.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Tessera's gateway in generic mode, as docs/operations.md documents it: no tenancy, auth,
 * PostgreSQL or Redis. The query limits stay on, raised so the bench's deep query (nested lists
 * many levels down) passes them; they are measured once per query text, not per request.
 */
export function tesseraGenericEnv(supergraphPath: string, port: number): NodeJS.ProcessEnv {
  return {
    GATEWAY_SUPERGRAPH_PATH: supergraphPath,
    GATEWAY_POLICIES: 'off',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    GATEWAY_MAX_DEPTH: '100',
    GATEWAY_MAX_COST: '10000000',
    // The per-subgraph bulkhead sized for the load, as the other gateways have none: each of
    // the 50 connections' queries has up to four inventory fetches in flight at once, more
    // than the default 128 running and 64 queued, so it would refuse some (SERVICE_UNAVAILABLE)
    // and the bench would measure refusals.
    GATEWAY_BULKHEAD_MAX_CONCURRENT: '1024',
    GATEWAY_BULKHEAD_MAX_QUEUED: '1024',
  };
}
