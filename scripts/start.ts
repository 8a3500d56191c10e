import { DEFAULT_SUBGRAPH_PORTS } from '../platform/schema/compose';
import { applyMigrations, ensureDatabase } from '../platform/db';
import { loadConfig, optionalPort, port, replicaUrlAs, url } from '../platform/config';
import { SUBGRAPH_NAMES } from '../platform/paths';
import { ALL_MIGRATIONS } from './all-migrations';
import { migrationConfigShape, serviceDatabaseUrls } from './migrate';
import { spawnService, type ServiceProcess } from './lib/service-process';

// `npm start`: migrates the local database and runs the whole platform (five subgraphs, the
// worker and the gateway) on this machine's PostgreSQL and Redis. Ctrl-C stops everything.
const config = loadConfig({
  ...migrationConfigShape,
  PORT: port(4000),
  WORKER_PORT: port(4006),
  GATEWAY_METRICS_PORT: optionalPort(),
  /** A read replica for every subgraph: each connects to it as its own role. */
  READ_DATABASE_URL: url(['postgres', 'postgresql']).optional(),
});
/** Where the gateway serves /metrics and /readyz, which observability reads. */
const gatewayInternalUrl = `http://127.0.0.1:${config.GATEWAY_METRICS_PORT ?? config.PORT}`;

async function main(): Promise<void> {
  // Each process connects as its own role, whatever DATABASE_URL this shell may hold.
  const databaseUrls = serviceDatabaseUrls(config);
  await ensureDatabase(config.MIGRATION_DATABASE_URL, databaseUrls);
  const applied = await applyMigrations(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
  if (applied.length) process.stdout.write(`migrations applied: ${applied.join(', ')}\n`);

  const running: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const exits = await Promise.all(
      running.map(async (service) => ({ name: service.name, code: await service.stop() })),
    );
    // A process that could not drain must not pass for a clean stop: name it, exit 1.
    const failed = exits.filter((exit) => exit.code !== 0);
    if (failed.length > 0) {
      const names = failed.map((exit) => `${exit.name} (exit ${exit.code})`).join(', ');
      process.stderr.write(`not stopped cleanly: ${names}\n`);
    }
    process.exit(failed.length > 0 ? 1 : code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const print = (line: string) => process.stdout.write(`${line}\n`);
  const start = async (name: Parameters<typeof spawnService>[0], env: NodeJS.ProcessEnv) => {
    const service = await spawnService(name, {
      env: { ...process.env, ...env },
      onLine: print,
      detached: true,
    });
    running.push(service);
    void service.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(`${name} exited unexpectedly (${code}); stopping the others\n`);
      void stopAll(1);
    });
    return service;
  };

  try {
    await Promise.all([
      ...SUBGRAPH_NAMES.map((name) =>
        start(name, {
          PORT: String(DEFAULT_SUBGRAPH_PORTS[name]),
          DATABASE_URL: databaseUrls[name],
          ...(config.READ_DATABASE_URL && {
            READ_DATABASE_URL: replicaUrlAs(config.READ_DATABASE_URL, databaseUrls[name]),
          }),
          ...(name === 'observability' ? { GATEWAY_INTERNAL_URL: gatewayInternalUrl } : {}),
        }),
      ),
      start('worker', { PORT: String(config.WORKER_PORT), DATABASE_URL: databaseUrls.worker }),
    ]);
    const gateway = await start('gateway', {
      PORT: String(config.PORT),
      ...Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          `SUBGRAPH_${name.toUpperCase()}_URL`,
          `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`,
        ]),
      ),
    });
    process.stdout.write(
      `\nTessera is up: ${gateway.url}/graphql (Apollo Sandbox in a browser)\n\n`,
    );
  } catch (error) {
    process.stderr.write(
      `start failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stopAll(1);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
