import cluster from 'node:cluster';
import type { GatewayConfig } from '../config';
import { startGateway, type RunningGateway } from '../gateway-server';
import { clusterMetricsSource } from './cluster-metrics';

/** Which worker answered; only sent in cluster mode, to see how load spreads across workers. */
export const WORKER_HEADER = 'x-gateway-worker';

/**
 * One worker of a gateway cluster: the usual gateway on the shared port, with `/metrics`
 * summed over every worker. SIGTERM/SIGINT drain it as a single gateway would; a repeated
 * signal changes nothing (Ctrl-C reaches both the primary, which forwards it, and the worker),
 * because the primary owns the deadline and kills a worker that overstays it.
 */
export function runClusterWorker(config: GatewayConfig): void {
  const workerId = String(cluster.worker!.id);
  const started = startGateway(config, { metricsSource: clusterMetricsSource });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    // A gateway that failed to start exits on its own (below).
    void started.then(async (gateway) => {
      try {
        await gateway.shutdown();
        process.exit(0);
      } catch (error) {
        gateway.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  started.then(
    (gateway: RunningGateway) => {
      // Runs before the gateway's own request handler, so every answer carries it (scrapes
      // of a metrics port included).
      for (const server of [gateway.server, gateway.metricsServer]) {
        server?.prependListener('request', (_req, res) => {
          res.setHeader(WORKER_HEADER, workerId);
        });
      }
    },
    (error: unknown) => {
      process.stderr.write(
        `gateway worker ${workerId} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
