import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../testing/free-port';
import { send } from '../http-client';

// A real HTTP server on loopback: what the load generator sends is what it receives.
let server: Server;
let origin: string;
const received: {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      if (req.url === '/refuse') {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"no"}');
        return;
      }
      // Large enough to arrive in several chunks, with a multi-byte character across them.
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${'é'.repeat(100_000)}.`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
});

describe('the load generator HTTP client', () => {
  it('sends method, path, query, headers and body, and reads the whole answer', async () => {
    const answer = await send(`${origin}/graphql?op=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': 't-1' },
      body: '{"query":"{ a }"}',
    });
    expect(answer).toEqual({ status: 200, text: `${'é'.repeat(100_000)}.` });
    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/graphql?op=1',
        headers: expect.objectContaining({ 'x-tenant-id': 't-1' }) as unknown,
        body: Buffer.from('{"query":"{ a }"}'),
      }),
    ]);
  });

  it('sends a binary body as it is', async () => {
    await send(`${origin}/blob`, { method: 'PUT', body: Buffer.from([0, 255, 7]) });
    expect(received[0]?.headers['content-length']).toBe('3');
    expect(received[0]?.body).toEqual(Buffer.from([0, 255, 7]));
  });

  it('answers an error status with its body, for the caller to judge', async () => {
    expect(await send(`${origin}/refuse`, { method: 'GET' })).toEqual({
      status: 403,
      text: '{"error":"no"}',
    });
  });

  it('rejects when nothing listens', async () => {
    const port = await freePort();
    await expect(send(`http://127.0.0.1:${port}/`, { method: 'GET' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
