import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import { startServiceServer, type RunningService } from '../http/service-server';
import { sendJson } from '../http/respond';
import { createServiceMetrics } from '../observability/metrics';

// The HTTP frame every process shares. The drain on SIGTERM against a keep-alive client (every
// browser, load balancer and fetch) must end as soon as the requests in flight are answered,
// not wait out the grace period for connections that merely stayed open; and what is not
// HTTP, or asks for nothing served, still gets a coded answer with a request id.

// Long enough that a drain waiting for idle connections could only end by running it out,
// which the server logs: the test reads that log, not a clock.
const GRACE_MS = 30_000;
let service: RunningService;
let warnings: string[];
/** The /slow requests: the test learns when all have arrived, and releases their answers. */
interface SlowRequests {
  arrived: Promise<void>;
  release(): void;
  handle(): Promise<void>;
}
let slow: SlowRequests;
const SLOW_REQUESTS = 3;
const agent = new Agent({ keepAlive: true, maxSockets: 10 });

function slowRequests(): SlowRequests {
  let arrivedAll!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (arrivedAll = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let count = 0;
  return {
    arrived,
    release,
    async handle() {
      count += 1;
      if (count === SLOW_REQUESTS) arrivedAll();
      await released;
    },
  };
}

beforeEach(async () => {
  warnings = [];
  slow = slowRequests();
  service = await startServiceServer({
    name: 'drain-test',
    host: '127.0.0.1',
    port: 0,
    shutdownGraceMs: GRACE_MS,
    logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
    metrics: createServiceMetrics('drain-test'),
    readiness: [],
    routes: {
      '/slow': {
        route: 'graphql',
        handle: async (_req, res) => {
          await slow.handle();
          sendJson(res, 200, { done: true });
        },
      },
    },
  });
});

afterEach(() => service.shutdown());
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
  const inFlight = Promise.all(Array.from({ length: SLOW_REQUESTS }, () => get('/slow')));
  await slow.arrived;
  const stopped = service.shutdown();
  slow.release();
  await stopped;
  const answers = await inFlight;

  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
  // Told not to reuse the connection, so no new request races its closing.
  expect(answers.map((answer) => answer.connection)).toEqual(['close', 'close', 'close']);
  // Ended by the last answer, not by the grace period running out.
  expect(warnings.join('')).not.toMatch(/grace period over/);
});

/** Raw bytes to the server; resolves with everything it answered before hanging up. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(service.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.end(bytes);
  });
}

it.each([
  ['not HTTP at all', 'hello\r\n\r\n', 400],
  [
    'conflicting lengths',
    'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
    400,
  ],
  ['a 32 KB header', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(32_000)}\r\n\r\n`, 431],
])('answers %s with a coded JSON refusal and a request id', async (_case, bytes, status) => {
  const answer = await raw(bytes);
  expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
  const requestId = /x-request-id: (\S+)/.exec(answer)?.[1];
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
    errors: { extensions: { code: string; requestId: string } }[];
  };
  expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId });
});

it('answers an unknown path with a coded 404 and a request id', async () => {
  const response = await fetch(`${service.url}/nope`);
  const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(response.status).toBe(404);
  expect(body.errors[0]!.extensions).toEqual({
    code: 'NOT_FOUND',
    requestId: response.headers.get('x-request-id'),
  });
});
