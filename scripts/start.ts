import { applyMigrations } from '../platform/db/migrations';
import { ensureDatabase } from '../platform/db/bootstrap';
import { loadConfig } from '../platform/config/load';
import { replicaUrlAs } from '../platform/config/service';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/paths';
import { ALL_MIGRATIONS } from './all-migrations';
import { launcherConfigShape } from './launcher-config';
import { serviceDatabaseUrls } from './migrate';
import { Supervisor, SupervisorStopping } from './lib/supervisor';

// `npm start`: migrates the local database and runs the whole platform (five subgraphs, the
// worker and the gateway) on this machine's PostgreSQL and Redis. Ctrl-C stops everything,
// whenever it comes.
const config = loadConfig(launcherConfigShape);

const subgraphPort = (name: SubgraphName): number =>
  ({
    auth: config.AUTH_PORT,
    tenancy: config.TENANCY_PORT,
    assets: config.ASSETS_PORT,
    jobs: config.JOBS_PORT,
    observability: config.OBSERVABILITY_PORT,
  })[name];

/** Where each process finds the others: every process gets all of it. */
const wiring: Record<string, string> = {
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [
      `SUBGRAPH_${name.toUpperCase()}_URL`,
      `http://127.0.0.1:${subgraphPort(name)}/graphql`,
    ]),
  ),
  AUTH_INTERNAL_URL: `http://127.0.0.1:${config.AUTH_PORT}`,
  TENANCY_INTERNAL_URL: `http://127.0.0.1:${config.TENANCY_PORT}`,
  WORKER_INTERNAL_URL: `http://127.0.0.1:${config.WORKER_PORT}`,
  // Where the gateway serves /metrics and /readyz, which observability reads.
  GATEWAY_INTERNAL_URL: `http://127.0.0.1:${config.GATEWAY_METRICS_PORT ?? config.PORT}`,
};

const supervisor = new Supervisor({
  print: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
});
process.on('SIGINT', () => void supervisor.stopAll(0));
process.on('SIGTERM', () => void supervisor.stopAll(0));

async function main(): Promise<void> {
  // Each process connects as its own role, whatever DATABASE_URL this shell may hold.
  const databaseUrls = serviceDatabaseUrls(config);
  await ensureDatabase(config.MIGRATION_DATABASE_URL, databaseUrls);
  const applied = await applyMigrations(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
  if (applied.length) process.stdout.write(`migrations applied: ${applied.join(', ')}\n`);

  const start = (name: Parameters<Supervisor['start']>[0], env: Record<string, string>) =>
    supervisor.start(name, { ...process.env, ...wiring, ...env });
  await Promise.all([
    ...SUBGRAPH_NAMES.map((name) =>
      start(name, {
        PORT: String(subgraphPort(name)),
        DATABASE_URL: databaseUrls[name],
        ...(config.READ_DATABASE_URL && {
          READ_DATABASE_URL: replicaUrlAs(config.READ_DATABASE_URL, databaseUrls[name]),
        }),
      }),
    ),
    start('worker', { PORT: String(config.WORKER_PORT), DATABASE_URL: databaseUrls.worker }),
  ]);
  const gateway = await start('gateway', { PORT: String(config.PORT) });
  process.stdout.write(`\nTessera is up: ${gateway.url}/graphql (Apollo Sandbox in a browser)\n\n`);
}

void main().catch(async (error: unknown) => {
  if (error instanceof SupervisorStopping || supervisor.stopRequested) return;
  process.stderr.write(`start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await supervisor.stopAll(1);
});
