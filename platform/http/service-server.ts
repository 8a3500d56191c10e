import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HttpRoute, ServiceMetrics } from '../observability/metrics';
import { answerClientError } from './client-errors';
import { drain } from './drain';
import type { MetricsAccess } from './metrics-access';
import type { ReadinessCheck } from './readiness';
import { serveRequests, type ServingState } from './request-dispatch';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Where and how long a process serves, from its configuration (every process has these). */
export function listenOptions(config: {
  HOST: string;
  PORT: number;
  SHUTDOWN_GRACE_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
}): Pick<ServiceServerOptions, 'host' | 'port' | 'shutdownGraceMs' | 'requestTimeoutMs'> {
  return {
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  };
}

export interface ServiceServerOptions {
  name: string;
  host: string;
  port: number;
  shutdownGraceMs: number;
  /** How long one request, body included, may take (HTTP_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: ReadinessCheck[];
  /** Handlers by exact path; the route label for metrics is the key without its slash. */
  routes: Partial<Record<string, { route: HttpRoute; handle: RequestHandler }>>;
  /** Handlers for every path under a prefix ending in `/` (e.g. `/blobs/`), after `routes`. */
  prefixRoutes?: Partial<Record<string, { route: HttpRoute; handle: RequestHandler }>>;
  /**
   * What `/metrics` serves; by default this process's registry. A gateway cluster worker
   * serves every worker's metrics summed, so a scrape sees the whole gateway.
   */
  metricsSource?: MetricsSource;
  /** Who may read `/metrics`; by default anyone on the main port (see metrics-access.ts). */
  metricsAccess?: MetricsAccess;
  /** WebSocket upgrades, when the process serves any. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Runs after the HTTP server stopped taking requests and drained: close pools here. */
  onShutdown?: () => Promise<void>;
  /** Runs as soon as draining starts (e.g. close WebSockets with 1001). */
  onDrainStart?: () => Promise<void>;
}

export type MetricsSource = () => Promise<{ contentType: string; body: string }>;

export interface RunningService {
  server: Server;
  port: number;
  url: string;
  /** The metrics listener, when `/metrics` is served apart from the main port. */
  metricsServer?: Server;
  metricsPort?: number;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then cleans up. */
  shutdown(): Promise<void>;
}

/**
 * The HTTP frame every Tessera process shares: `/healthz` (alive), `/readyz` (dependencies
 * reachable, false while draining), `/metrics` (Prometheus; on a port of its own and behind a
 * bearer token when `metricsAccess` says so), the process's own routes, and a graceful drain.
 */
export async function startServiceServer(options: ServiceServerOptions): Promise<RunningService> {
  const { logger } = options;
  const badPrefix = Object.keys(options.prefixRoutes ?? {}).find(
    (prefix) => !prefix.startsWith('/') || !prefix.endsWith('/'),
  );
  if (badPrefix) throw new Error(`prefix route "${badPrefix}" must start and end with "/"`);
  const state: ServingState = { draining: false, inFlight: new Set() };

  const server = createServer(serveRequests(options, state, 'main'));
  // Keep-alive sockets from a load balancer should outlive its idle timeout, not the reverse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = options.requestTimeoutMs ?? 60_000;
  if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  const answerClientErrors = (listener: Server) =>
    listener.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      answerClientError(error, socket, logger),
    );
  answerClientErrors(server);

  const port = await listen(server, options.port, options.host);
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ port, url }, 'listening');
  // After the main port, always: a gateway cluster's workers then share each listener in turn.
  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  const metricsPortOption = options.metricsAccess?.port;
  if (metricsPortOption !== undefined) {
    metricsServer = answerClientErrors(createServer(serveRequests(options, state, 'metrics')));
    metricsPort = await listen(metricsServer, metricsPortOption, options.host);
    logger.info({ metricsPort }, 'metrics listening');
  }

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shutdownPromise ??= drain(server, metricsServer, state, options));
  return { server, port, url, metricsServer, metricsPort, shutdown };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Ends the process cleanly on SIGTERM/SIGINT: drain, then exit 0, or 1 if cleanup failed.
 * A second signal while draining exits at once.
 */
export function exitOnSignals(service: Pick<RunningService, 'shutdown'>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
