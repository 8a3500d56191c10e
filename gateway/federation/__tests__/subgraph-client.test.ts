import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { PlainDataAnswer, SubgraphClient } from '../subgraph-client';

// The subgraph client against local HTTP servers that answer badly on purpose.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let handler: Handler;
let url: string;
const clients: SubgraphClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(options: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
  const created = new SubgraphClient('things', url, {
    connections: 2,
    pipelining: 1,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  });
  clients.push(created);
  return created;
}

function answer(status: number, body: string, contentType = 'application/json'): Handler {
  return (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  };
}

describe('SubgraphClient', () => {
  it('posts the body with its headers and parses the answer', async () => {
    let seen: { body: string; headers: IncomingMessage['headers'] } | undefined;
    handler = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen = { body: Buffer.concat(chunks).toString(), headers: req.headers };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data":{"ok":true}}');
      });
    };
    const result = await client().post('{"query":"{ ok }"}', { 'x-request-id': 'r-1' });
    expect(result).toEqual({ data: { ok: true } });
    expect(seen?.body).toBe('{"query":"{ ok }"}');
    expect(seen?.headers).toMatchObject({
      'x-request-id': 'r-1',
      'content-type': 'application/json',
    });
  });

  it('keeps a coded GraphQL error a subgraph answers with an HTTP error status', async () => {
    handler = answer(
      400,
      '{"errors":[{"message":"bad date","extensions":{"code":"BAD_USER_INPUT"}}]}',
    );
    const error = await client()
      .post('{}', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error).toMatchObject({ message: 'bad date', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('codes 401 and 403 answers, and no other status leaks a code it did not give', async () => {
    handler = answer(401, 'no');
    await expect(client().post('{}', {})).rejects.toMatchObject({
      message: '401: Unauthorized',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    handler = answer(
      403,
      '{"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}',
    );
    await expect(client().post('{}', {})).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    handler = answer(502, '<html>bad gateway</html>', 'text/html');
    const error = (await client()
      .post('{}', {})
      .catch((e: unknown) => e)) as GraphQLError;
    expect(error.message).toBe('502: Bad Gateway');
    expect(error.extensions.code).toBeUndefined();
  });

  it('refuses a 200 that is not JSON, or JSON that is not an object', async () => {
    handler = answer(200, 'hello', 'text/plain');
    await expect(client().post('{}', {})).rejects.toThrow('a body that is not JSON');
    handler = answer(200, '[1,2]');
    await expect(client().post('{}', {})).rejects.toThrow('JSON that is not an object');
  });

  it('fails a fetch whose answer is larger than allowed', async () => {
    handler = answer(200, JSON.stringify({ data: { big: 'x'.repeat(10_000) } }));
    await expect(client({ maxResponseBytes: 2_048 }).post('{}', {})).rejects.toMatchObject({
      code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE',
    });
  });

  it('gives up on a subgraph that does not answer in time', async () => {
    handler = (req) => req.resume(); // never answers
    await expect(client({ timeoutMs: 200 }).post('{}', {})).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });

  it('reports a subgraph that cannot be reached with the socket error code', async () => {
    const gone = new SubgraphClient('gone', 'http://127.0.0.1:1/graphql', {
      connections: 1,
      pipelining: 1,
      timeoutMs: 1_000,
      maxResponseBytes: 1024,
    });
    clients.push(gone);
    await expect(gone.post('{}', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  describe('for the pass-through path', () => {
    it('keeps an answer that is data alone as its text, unparsed', async () => {
      handler = answer(200, '{"data":{"ok":true}}\n');
      const result = await client().postForPassThrough('{"query":"{ ok }"}', {});
      expect(result).toBeInstanceOf(PlainDataAnswer);
      expect((result as PlainDataAnswer).text).toBe('{"data":{"ok":true}}\n');
    });

    it('parses any other answer, whatever members it has', async () => {
      handler = answer(200, '{"errors":[{"message":"no"}],"text":"{\\"data\\":{}}"}');
      const result = await client().postForPassThrough('{"query":"{ ok }"}', {});
      expect(result).not.toBeInstanceOf(PlainDataAnswer);
      expect(result).toEqual({ errors: [{ message: 'no' }], text: '{"data":{}}' });
    });

    it('fails on an error status as a plain post does', async () => {
      handler = answer(502, '{"data":{"ok":true}}');
      await expect(client().postForPassThrough('{"query":"{ ok }"}', {})).rejects.toThrow('502');
    });
  });
});
