import cluster from 'node:cluster';
import { exitOnSignals } from '../platform/http/service-server';
import { createLogger } from '../platform/observability/logger';
import { loadGatewayConfig } from './config';

const config = loadGatewayConfig();

function failedToStart(error: unknown): never {
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
}

// The gateway modules are loaded only where they serve requests: a cluster's primary forks
// and supervises, and should not carry Apollo and the query planner in its memory.
if (config.GATEWAY_WORKERS === 1) {
  import('./gateway-server.js')
    .then(({ startGateway }) => startGateway(config))
    .then((gateway) => exitOnSignals(gateway, gateway.logger), failedToStart);
} else if (cluster.isPrimary) {
  import('./cluster/cluster-primary.js').then(
    ({ runClusterPrimary }) =>
      runClusterPrimary(
        config,
        createLogger('gateway', config.LOG_LEVEL).child({ role: 'primary' }),
      ),
    failedToStart,
  );
} else {
  import('./cluster/cluster-worker.js').then(
    ({ runClusterWorker }) => runClusterWorker(config),
    failedToStart,
  );
}
