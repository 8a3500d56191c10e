import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HttpRoute, ServiceMetrics } from '../observability/metrics';
import { mayReadMetrics, refuseMetrics, type MetricsAccess } from './metrics-access';
import { rawErrorAnswer, REQUEST_ID_HEADER } from './raw-answer';
import { runChecks, type ReadinessCheck } from './readiness';
import { sendJson } from './respond';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

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
  const { logger, metrics } = options;
  const prefixes = Object.keys(options.prefixRoutes ?? {});
  const badPrefix = prefixes.find((prefix) => !prefix.startsWith('/') || !prefix.endsWith('/'));
  if (badPrefix) throw new Error(`prefix route "${badPrefix}" must start and end with "/"`);
  let draining = false;
  /** Responses not yet finished: told to close their connection when draining starts. */
  const inFlight = new Set<ServerResponse>();

  const metricsPortOption = options.metricsAccess?.port;
  const metricsOwnPort = metricsPortOption !== undefined;
  /** The main listener serves everything; a metrics listener only health, readiness, metrics. */
  const serve = (listener: 'main' | 'metrics') => (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const prefix = prefixes.find((candidate) => path.startsWith(candidate));
    const own =
      listener === 'main'
        ? (options.routes[path] ?? (prefix ? options.prefixRoutes?.[prefix] : undefined))
        : undefined;
    const metricsHere = (listener === 'metrics') === metricsOwnPort;
    const route: HttpRoute = own?.route ?? builtInRoute(path);
    if (draining) res.setHeader('connection', 'close');
    // The process's own routes set theirs (the gateway keeps a client's); the rest get one.
    if (!own) res.setHeader(REQUEST_ID_HEADER, randomUUID());
    inFlight.add(res);
    // Probes and scrapes are not load: counting them would scale a pool on its own monitoring.
    const counted = !BUILT_IN_ROUTES.has(route);
    if (counted) metrics.httpInFlight.inc();
    // 'close' comes once per response, answered or abandoned by its client.
    res.on('close', () => {
      inFlight.delete(res);
      if (counted) metrics.httpInFlight.dec();
    });
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({
        method: methodLabel(req.method),
        route,
        status: String(res.statusCode),
      });
      metrics.httpDuration.observe({ method: methodLabel(req.method), route }, seconds);
    });

    const handle = async (): Promise<void> => {
      if (own) return own.handle(req, res);
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok', service: options.name });
      if (path === '/readyz') {
        const checks = await runChecks(options.readiness);
        for (const check of checks) {
          metrics.readinessChecks.set({ check: check.name }, check.status === 'ok' ? 1 : 0);
        }
        const ready = !draining && checks.every((check) => check.status === 'ok');
        return sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : draining ? 'draining' : 'not-ready',
          service: options.name,
          checks,
        });
      }
      if (path === '/metrics' && metricsHere) {
        if (!mayReadMetrics(req, options.metricsAccess)) return refuseMetrics(res);
        const { contentType, body } = options.metricsSource
          ? await options.metricsSource()
          : { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
        return;
      }
      sendJson(res, 404, {
        errors: [
          {
            message: 'Not found',
            extensions: { code: 'NOT_FOUND', requestId: res.getHeader(REQUEST_ID_HEADER) },
          },
        ],
      });
    };

    handle().catch((error: unknown) => {
      // A client that hung up mid-upload is not a server failure.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' && req.destroyed) {
        logger.info({ route }, 'client went away before its request was read');
        return;
      }
      logger.error({ err: error }, 'request handler failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const requestId = String(res.getHeader(REQUEST_ID_HEADER) ?? randomUUID());
      sendJson(
        res,
        500,
        {
          errors: [
            {
              message: 'Internal server error',
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
            },
          ],
        },
        { [REQUEST_ID_HEADER]: requestId },
      );
    });
  };
  const server = createServer(serve('main'));
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
  if (metricsPortOption !== undefined) {
    metricsServer = answerClientErrors(createServer(serve('metrics')));
    metricsPort = await listen(metricsServer, metricsPortOption, options.host);
    logger.info({ metricsPort }, 'metrics listening');
  }

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      draining = true;
      logger.info({ graceMs: options.shutdownGraceMs }, 'draining');
      // A keep-alive connection would hold the drain for the whole grace period: answers still
      // to come say `Connection: close`, and connections left idle by a finished answer are
      // closed as they become so.
      for (const res of inFlight) {
        if (!res.headersSent) res.setHeader('connection', 'close');
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idleCloser = setInterval(() => server.closeIdleConnections(), 50);
      await options.onDrainStart?.();
      const timedOut = await Promise.race([
        closed.then(() => false),
        delay(options.shutdownGraceMs).then(() => true),
      ]);
      clearInterval(idleCloser);
      if (timedOut) {
        logger.warn('grace period over; closing remaining connections');
        server.closeAllConnections();
        await closed;
      }
      if (metricsServer) {
        const listener = metricsServer;
        const metricsClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
        listener.closeAllConnections();
        await metricsClosed;
      }
      await options.onShutdown?.();
      logger.info('stopped');
    })();
    return shutdownPromise;
  };

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

/**
 * Requests Node's parser refuses (not HTTP, headers too large, conflicting lengths) get a
 * coded JSON answer with a request id like any other refusal, instead of a bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  // As Node's own handler: answer only if no answer has started on this connection.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const requestId = randomUUID();
  const message =
    status === 431
      ? 'Request headers too large'
      : status === 408
        ? 'Request not received in time'
        : 'Malformed HTTP request';
  logger.info({ requestId, reason: error.code }, 'malformed HTTP request refused');
  socket.write(rawErrorAnswer({ status, message, code: 'BAD_USER_INPUT', requestId }));
  socket.destroy();
}

const BUILT_IN_ROUTES = new Set<HttpRoute>(['healthz', 'readyz', 'metrics']);

function builtInRoute(path: string): HttpRoute {
  if (path === '/healthz') return 'healthz';
  if (path === '/readyz') return 'readyz';
  if (path === '/metrics') return 'metrics';
  return 'other';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
