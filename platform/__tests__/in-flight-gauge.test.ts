import { request, type ClientRequest } from 'node:http';
import pino from 'pino';
import { startServiceServer, type RunningService } from '../http/service-server';
import { sendJson } from '../http/respond';
import { eventually } from '../../testing/eventually';
import { createServiceMetrics, type ServiceMetrics } from '../observability/metrics';

// tessera_http_requests_in_flight is what the gateway's HorizontalPodAutoscaler scales on
// (deploy/kubernetes/): it must rise with requests held open, leave out probes and scrapes, and
// come back to zero however a request ends, answered or abandoned by its client, or the pool
// would grow on phantom load.

let service: RunningService;
let metrics: ServiceMetrics;
/** Answers every held request: each `/held` request waits here until released. */
let releases: (() => void)[] = [];

beforeEach(async () => {
  releases = [];
  metrics = createServiceMetrics('in-flight-test');
  service = await startServiceServer({
    name: 'in-flight-test',
    host: '127.0.0.1',
    port: 0,
    shutdownGraceMs: 5_000,
    logger: pino({ level: 'silent' }),
    metrics,
    readiness: [],
    routes: {
      '/held': {
        route: 'graphql',
        handle: async (_req, res) => {
          await new Promise<void>((resolve) => releases.push(resolve));
          if (!res.destroyed) sendJson(res, 200, { done: true });
        },
      },
    },
  });
});

afterEach(async () => {
  for (const release of releases) release();
  await service.shutdown();
});

async function inFlight(): Promise<number> {
  const [value] = (await metrics.httpInFlight.get()).values;
  return value?.value ?? 0;
}

function send(path: string): { req: ClientRequest; answered: Promise<number> } {
  let req!: ClientRequest;
  const answered = new Promise<number>((resolve, reject) => {
    req = request(`${service.url}${path}`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
  return { req, answered };
}

it('counts the requests being served and returns to zero once they are answered', async () => {
  const held = [send('/held'), send('/held'), send('/held')];
  await eventually(() => releases.length === 3);
  expect(await inFlight()).toBe(3);

  for (const release of releases) release();
  expect(await Promise.all(held.map((one) => one.answered))).toEqual([200, 200, 200]);
  await eventually(async () => (await inFlight()) === 0);
});

it('leaves out health checks, readiness probes and metrics scrapes', async () => {
  const held = send('/held');
  await eventually(() => releases.length === 1);
  expect(
    await Promise.all(['/healthz', '/readyz', '/metrics'].map((p) => send(p).answered)),
  ).toEqual([200, 200, 200]);
  expect(await inFlight()).toBe(1);
  const scrape = await fetch(`${service.url}/metrics`).then((res) => res.text());
  expect(scrape).toMatch(/^tessera_http_requests_in_flight\{service="in-flight-test"\} 1$/m);
  releases[0]!();
  await held.answered;
});

it('does not keep counting a request whose client went away before the answer', async () => {
  const abandoned = send('/held');
  abandoned.answered.catch(() => undefined);
  await eventually(() => releases.length === 1);
  expect(await inFlight()).toBe(1);

  abandoned.req.destroy();
  await eventually(async () => (await inFlight()) === 0);
  // Released after its client left: answering nobody must not count it down a second time.
  releases[0]!();
  const next = send('/held');
  await eventually(() => releases.length === 2);
  expect(await inFlight()).toBe(1);
  releases[1]!();
  expect(await next.answered).toBe(200);
});
