import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpRoute, ServiceMetrics } from '../observability/metrics';
import { mayReadMetrics, refuseMetrics } from './metrics-access';
import { REQUEST_ID_HEADER } from './raw-answer';
import { runChecks } from './readiness';
import { sendJson } from './respond';
import type { ServiceServerOptions } from './service-server';

/** What a server's listeners share with its drain. */
export interface ServingState {
  draining: boolean;
  /** Responses not yet finished: told to close their connection when draining starts. */
  inFlight: Set<ServerResponse>;
}

/**
 * The request listener of one of a process's listeners: the main one serves everything; a
 * metrics one only health, readiness and metrics. Every request is counted and timed.
 */
export function serveRequests(
  options: ServiceServerOptions,
  state: ServingState,
  listener: 'main' | 'metrics',
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics } = options;
  const prefixes = Object.keys(options.prefixRoutes ?? {});
  const metricsHere = (listener === 'metrics') === (options.metricsAccess?.port !== undefined);
  return (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const prefix = prefixes.find((candidate) => path.startsWith(candidate));
    const own =
      listener === 'main'
        ? (options.routes[path] ?? (prefix ? options.prefixRoutes?.[prefix] : undefined))
        : undefined;
    const route: HttpRoute = own?.route ?? builtInRoute(path);
    if (state.draining) res.setHeader('connection', 'close');
    // The process's own routes set theirs (the gateway keeps a client's); the rest get one.
    if (!own) res.setHeader(REQUEST_ID_HEADER, randomUUID());
    countRequest(req, res, route, started, metrics, state);
    const handle = async (): Promise<void> => {
      if (own) return own.handle(req, res);
      return answerBuiltIn(req, res, path, metricsHere, options, state);
    };
    handle().catch((error: unknown) => answerFailure(error, req, res, route, logger));
  };
}

function countRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: HttpRoute,
  started: bigint,
  metrics: ServiceMetrics,
  state: ServingState,
): void {
  state.inFlight.add(res);
  // Probes and scrapes are not load: counting them would scale a pool on its own monitoring.
  const counted = !BUILT_IN_ROUTES.has(route);
  if (counted) metrics.httpInFlight.inc();
  // 'close' comes once per response, answered or abandoned by its client.
  res.on('close', () => {
    state.inFlight.delete(res);
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
}

/** `/healthz`, `/readyz`, `/metrics` (where served), and a coded 404 for anything else. */
async function answerBuiltIn(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  metricsHere: boolean,
  options: ServiceServerOptions,
  state: ServingState,
): Promise<void> {
  const { metrics } = options;
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok', service: options.name });
  if (path === '/readyz') {
    const checks = await runChecks(options.readiness);
    for (const check of checks) {
      metrics.readinessChecks.set({ check: check.name }, check.status === 'ok' ? 1 : 0);
    }
    const ready = !state.draining && checks.every((check) => check.status === 'ok');
    return sendJson(res, ready ? 200 : 503, {
      status: ready ? 'ready' : state.draining ? 'draining' : 'not-ready',
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
}

/** A handler that failed: a coded 500 if nothing was answered yet, else the socket ends. */
function answerFailure(
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  route: HttpRoute,
  logger: Logger,
): void {
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
