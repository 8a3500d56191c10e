import { request } from 'node:http';
import pino from 'pino';
import { startServiceServer, type RunningService } from '../http/service-server';
import { type MetricsAccess } from '../http/metrics-access';
import { createServiceMetrics } from '../observability/metrics';

// Who may read /metrics (platform/http/metrics-access.ts): anyone on the main port by default,
// a scraper with the bearer token when one is set, and only on its own port when one is set.

const TOKEN = 'a-metrics-token-of-at-least-32-characters';

async function serve(metricsAccess: MetricsAccess | undefined): Promise<RunningService> {
  return startServiceServer({
    name: 'metrics-access-test',
    host: '127.0.0.1',
    port: 0,
    shutdownGraceMs: 1_000,
    logger: pino({ level: 'silent' }),
    metrics: createServiceMetrics('metrics-access-test'),
    readiness: [],
    routes: {},
    metricsAccess,
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

it('serves /metrics on the main port to anyone by default', async () => {
  const service = await serve(undefined);
  try {
    expect(await get(service.port, '/metrics')).toBe(200);
    expect(service.metricsPort).toBeUndefined();
  } finally {
    await service.shutdown();
  }
});

it('asks for the bearer token on the main port when only a token is set', async () => {
  const service = await serve({ bearerToken: TOKEN });
  try {
    expect(await get(service.port, '/metrics')).toBe(401);
    expect(await get(service.port, '/metrics', { authorization: `Bearer ${TOKEN.slice(1)}` })).toBe(
      401,
    );
    expect(await get(service.port, '/metrics', { authorization: `Bearer ${TOKEN}` })).toBe(200);
    // Health and readiness stay open: load balancers probe them.
    expect(await get(service.port, '/readyz')).toBe(200);
  } finally {
    await service.shutdown();
  }
});

it('moves /metrics to a port of its own, beside health and readiness, when a port is set', async () => {
  const service = await serve({ port: 0 });
  try {
    expect(service.metricsPort).toEqual(expect.any(Number));
    expect(await get(service.port, '/metrics')).toBe(404);
    expect(await get(service.metricsPort!, '/metrics')).toBe(200);
    expect(await get(service.metricsPort!, '/readyz')).toBe(200);
    expect(await get(service.metricsPort!, '/anything-else')).toBe(404);
  } finally {
    await service.shutdown();
  }
  // Shut down with the process: nothing listens there any more.
  await expect(get(service.metricsPort!, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
});
