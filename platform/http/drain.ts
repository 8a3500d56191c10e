import type { Server } from 'node:http';
import type { ServingState } from './request-dispatch';
import type { ServiceServerOptions } from './service-server';

/**
 * The graceful stop: readiness turns false, in-flight requests get up to the grace period to
 * finish, then what is left is closed, the metrics listener too, and the process cleans up.
 */
export async function drain(
  server: Server,
  metricsServer: Server | undefined,
  state: ServingState,
  options: Pick<ServiceServerOptions, 'logger' | 'shutdownGraceMs' | 'onDrainStart' | 'onShutdown'>,
): Promise<void> {
  const { logger } = options;
  state.draining = true;
  logger.info({ graceMs: options.shutdownGraceMs }, 'draining');
  // A keep-alive connection would hold the drain for the whole grace period: answers still
  // to come say `Connection: close`, and connections left idle by a finished answer are
  // closed as they become so.
  for (const res of state.inFlight) {
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
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
