import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { closePooledConnections } from '../outbound/connection-pool';
import { safeFetch } from '../outbound/safe-fetch';
import { type OutboundPolicy } from '../outbound/policy';
import { type Resolver } from '../outbound/vet-url';

// safeFetch's keep-alive pool against a real server on loopback: connections are reused only
// for the address vetted for the request, and a pooled connection the receiver closed costs
// no failed request. The name-based test replaces DNS with a resolver function (no test DNS
// server is available here).

const policy: OutboundPolicy = {
  allowedCidrs: ['127.0.0.0/8'],
  timeoutMs: 5_000,
  maxResponseBytes: 1024,
};
/** Each connection the server accepted, with the local address the client reached. */
const connections: { socket: Socket; address: string; requests: number }[] = [];
/** When set, the server drops a connection as its Nth request arrives, unanswered. */
let dropOnRequest: number | null = null;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const connection = connections.find((c) => c.socket === req.socket)!;
    connection.requests += 1;
    if (connection.requests === dropOnRequest) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end(req.url === '/big' ? 'x'.repeat(4096) : 'ok'));
  });
  server.on('connection', (socket) =>
    connections.push({ socket, address: socket.localAddress ?? '', requests: 0 }),
  );
  // Every loopback address reaches it, so a name can point at 127.0.0.1 or 127.0.0.2.
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as AddressInfo).port;
});

beforeEach(() => {
  closePooledConnections();
  connections.length = 0;
  dropOnRequest = null;
});

afterAll(async () => {
  closePooledConnections();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (url: string, keepAlive: boolean, resolve?: Resolver) =>
  safeFetch(
    url,
    { method: 'POST', body: '{}', keepAlive, onTooLarge: 'truncate' },
    policy,
    resolve,
  );

function dns(answers: string[]): Resolver {
  return async () => answers.map((address) => ({ address, family: 4 }));
}

describe('safeFetch keep-alive', () => {
  it('sends requests to one vetted address over one connection', async () => {
    for (let n = 0; n < 3; n++) {
      expect((await post(`http://127.0.0.1:${port}/`, true)).status).toBe(200);
    }
    expect(connections).toHaveLength(1);
    expect(connections[0]!.requests).toBe(3);
  });

  it('opens a connection per request without keepAlive', async () => {
    for (let n = 0; n < 3; n++) await post(`http://127.0.0.1:${port}/`, false);
    expect(connections).toHaveLength(3);
  });

  it('never reuses a connection once the name resolves to another address', async () => {
    const url = `http://hooks.tessera.test:${port}/`;
    await post(url, true, dns(['127.0.0.1']));
    const rebound = await post(url, true, dns(['127.0.0.2']));

    expect(rebound.address).toBe('127.0.0.2');
    expect(connections.map((c) => c.address)).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('sends again on a new connection when the receiver dropped the pooled one', async () => {
    dropOnRequest = 2;
    await post(`http://127.0.0.1:${port}/`, true);
    const again = await post(`http://127.0.0.1:${port}/`, true);

    expect(again.status).toBe(200);
    expect(connections.map((c) => c.requests)).toEqual([2, 1]);
  });

  it('reports a connection dropped on its first request as a failure, without sending again', async () => {
    dropOnRequest = 1;
    await expect(post(`http://127.0.0.1:${port}/`, true)).rejects.toMatchObject({
      reason: 'connect-failure',
    });
    expect(connections).toHaveLength(1);
  });

  it('closes the connection of an answer cut at maxResponseBytes instead of reusing it', async () => {
    const cut = await post(`http://127.0.0.1:${port}/big`, true);
    await post(`http://127.0.0.1:${port}/`, true);

    expect(cut.truncated).toBe(true);
    expect(connections).toHaveLength(2);
  });
});
