import { Agent, request } from 'node:http';
import pino from 'pino';
import { startServiceServer, sendJson, type RunningService } from '../http';
import { createServiceMetrics } from '../observability/metrics';

// The drain on SIGTERM against a keep-alive client (every browser, load balancer and fetch):
// it must end as soon as the requests in flight are answered, not wait out the grace period
// for connections that merely stayed open.

const GRACE_MS = 5_000;
let service: RunningService;
const agent = new Agent({ keepAlive: true, maxSockets: 10 });

beforeEach(async () => {
  service = await startServiceServer({
    name: 'drain-test',
    host: '127.0.0.1',
    port: 0,
    shutdownGraceMs: GRACE_MS,
    logger: pino({ level: 'silent' }),
    metrics: createServiceMetrics('drain-test'),
    readiness: [],
    routes: {
      '/slow': {
        route: 'graphql',
        handle: async (_req, res) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          sendJson(res, 200, { done: true });
        },
      },
    },
  });
});

afterAll(() => agent.destroy());

function get(path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${service.url}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('answers the requests in flight and stops without waiting for idle keep-alive connections', async () => {
  await Promise.all([get('/healthz'), get('/healthz')]); // two idle keep-alive sockets
  const inFlight = Promise.all([get('/slow'), get('/slow'), get('/slow')]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await service.shutdown();
  const answers = await inFlight;

  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
  // Told not to reuse the connection, so no new request races its closing.
  expect(answers.map((answer) => answer.connection)).toEqual(['close', 'close', 'close']);
  expect(Date.now() - started).toBeLessThan(GRACE_MS / 2);
});
