import { request, type IncomingHttpHeaders } from 'node:http';
import { startStack, type TestStack } from '../../testing/stack';

// WebSocket upgrades the gateway does not take get an HTTP answer with a code and a request
// id, like every other refusal: before the handshake the socket is plain HTTP, and a client
// whose connection is dropped without a word cannot tell a wrong URL from an outage.

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface UpgradeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

const HANDSHAKE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-protocol': 'graphql-transport-ws',
};

/** Sends an upgrade request and reads whatever HTTP answer comes back (101 included). */
function upgrade(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, {
      method,
      headers: { ...HANDSHAKE, ...headers },
      agent: false,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, headers: res.headers, body: '', closed: false });
    });
    req.on('response', (res) => {
      const socket = res.socket;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const done = (closed: boolean) =>
          resolve({ status: res.statusCode!, headers: res.headers, body, closed });
        // An answer that says it closes: wait for the server's close rather than assume it.
        if (res.headers.connection !== 'close') done(false);
        else if (socket.destroyed) done(true);
        else socket.once('close', () => done(true));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function expectCoded(answer: UpgradeAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers.connection).toBe('close');
  const requestId = answer.headers['x-request-id'];
  expect(requestId).toEqual(expect.any(String));
  expect(JSON.parse(answer.body)).toEqual({
    errors: [{ message: expect.any(String), extensions: { code, requestId } }],
  });
  expect(answer.closed).toBe(true);
}

it('answers an upgrade to a path with no WebSocket endpoint with a coded 404, then closes', async () => {
  for (const path of ['/metrics', '/healthz', '/nowhere', '/graphql/extra']) {
    const answer = await upgrade(stack.url('gateway'), path);
    expectCoded(answer, 404, 'NOT_FOUND');
    expect(errorsOf(answer.body)[0]?.message).toMatch(/served on \/graphql/);
  }
});

it("keeps the client's request id in the refusal", async () => {
  const answer = await upgrade(stack.url('gateway'), '/metrics', {
    'x-request-id': 'client-chosen-id-42',
  });
  expectCoded(answer, 404, 'NOT_FOUND');
  expect(answer.headers['x-request-id']).toBe('client-chosen-id-42');
});

it('answers a handshake with an unknown WebSocket version with a coded 400 naming the versions', async () => {
  const answer = await upgrade(stack.url('gateway'), '/graphql', {
    'sec-websocket-version': '99',
  });
  expectCoded(answer, 400, 'BAD_USER_INPUT');
  expect(answer.headers['sec-websocket-version']).toBe('13, 8');
});

it('answers a handshake without a key with a coded 400', async () => {
  const answer = await upgrade(stack.url('gateway'), '/graphql', { 'sec-websocket-key': 'short' });
  expectCoded(answer, 400, 'BAD_USER_INPUT');
});

it('answers an upgrade by POST with a coded 405 that allows GET', async () => {
  const answer = await upgrade(stack.url('gateway'), '/graphql', {}, 'POST');
  expectCoded(answer, 405, 'BAD_USER_INPUT');
  expect(answer.headers.allow).toBe('GET');
});

it('still switches protocols on / and /graphql', async () => {
  for (const path of ['/', '/graphql', '/graphql?x=1']) {
    const answer = await upgrade(stack.url('gateway'), path);
    expect(answer.status).toBe(101);
    expect(answer.headers['sec-websocket-protocol']).toBe('graphql-transport-ws');
  }
});

it('a process without WebSockets answers an upgrade as the plain request it also is', async () => {
  const metrics = await upgrade(stack.url('tenancy'), '/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.body).toContain('tessera_');
  const unknown = await upgrade(stack.url('tenancy'), '/nowhere');
  expect(unknown.status).toBe(404);
  expect(errorsOf(unknown.body)[0]?.extensions.code).toBe('NOT_FOUND');
});

function errorsOf(body: string): { message: string; extensions: { code?: string } }[] {
  return (JSON.parse(body) as { errors: { message: string; extensions: { code?: string } }[] })
    .errors;
}
