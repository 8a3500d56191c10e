import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayloadTooLargeError } from '../errors/domain-errors';
import { readBody } from '../http/body';

// The body reader every HTTP route uses: whole bodies within the limit, a coded refusal for a
// body over it (declared or streamed) that comes only once the body has been read, so the
// answer is not lost to a reset connection, and a client that hangs up mid-body told apart from
// a server failure.

const LIMIT = 1024;
const DRAIN = 64 * 1024;
let server: Server;
let port: number;
let outcomes: ((outcome: Buffer | Error) => void)[] = [];
/** Whether the request's body had been read to its end when the reader settled. */
let bodyReadWhenSettled: boolean[] = [];
const nextOutcome = () => new Promise<Buffer | Error>((resolve) => outcomes.push(resolve));

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const report = outcomes.shift()!;
    readBody(req, LIMIT, DRAIN).then(
      (body) => {
        report(body);
        res.end(`read ${body.length}`);
      },
      (error: Error) => {
        bodyReadWhenSettled.push(req.complete);
        report(error);
        if (!res.destroyed) {
          res.statusCode = error instanceof PayloadTooLargeError ? 413 : 500;
          res.end(error.message);
        }
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  outcomes = [];
  bodyReadWhenSettled = [];
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Sends `chunks` one write each (chunked, no Content-Length unless given). */
function send(chunks: string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    // No agent: the request asks for the connection to close after the answer, as one-off
    // clients do, which is when an early answer loses the race with the client's writes.
    const req = request({ port, method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

it('reads a body sent in several chunks, whole and in order', async () => {
  const outcome = nextOutcome();
  const answer = await send(['{"a":', '"b', '"}']);
  expect((await outcome).toString()).toBe('{"a":"b"}');
  expect(answer).toEqual({ status: 200, text: 'read 9' });
});

it('reads an empty body as empty', async () => {
  const outcome = nextOutcome();
  await send([]);
  expect((await outcome) as Buffer).toHaveLength(0);
});

it('refuses a declared Content-Length over the limit with 413, once the body has been read', async () => {
  const outcome = nextOutcome();
  const body = 'x'.repeat(DRAIN);
  const answer = await send([body], { 'content-length': String(body.length) });
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(bodyReadWhenSettled).toEqual([true]);
  expect(answer).toEqual({ status: 413, text: expect.stringMatching(/exceeds the limit/) });
});

it('refuses a chunked body that crosses the limit with 413, once the body has been read', async () => {
  const outcome = nextOutcome();
  const answer = await send(['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)]);
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(bodyReadWhenSettled).toEqual([true]);
  expect(answer.status).toBe(413);
});

it('refuses at once, without reading, a declared body beyond what is worth draining', async () => {
  const outcome = nextOutcome();
  const req = request({
    port,
    method: 'POST',
    headers: { 'content-length': String(LIMIT + DRAIN + 1) },
  });
  req.on('error', () => undefined);
  req.write('x');
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(bodyReadWhenSettled).toEqual([false]);
  req.destroy();
});

it('stops draining a chunked body once it passes the drain bound', async () => {
  const outcome = nextOutcome();
  const req = request({ port, method: 'POST' });
  req.on('error', () => undefined);
  req.write('x'.repeat(LIMIT + DRAIN + 1));
  // The body never ends: only the bound can settle the reader.
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(bodyReadWhenSettled).toEqual([false]);
  req.destroy();
});

it('tells a client that hung up mid-body apart (ECONNRESET), instead of resolving a partial body', async () => {
  const outcome = nextOutcome();
  const req = request({ port, method: 'POST', headers: { 'content-length': '100' } });
  req.on('error', () => undefined);
  req.write('only part of it', () => req.destroy());
  // Node's own "aborted" error or ours, whichever event comes first: both carry the code the
  // request handler looks for.
  const error = (await outcome) as NodeJS.ErrnoException;
  expect(Buffer.isBuffer(error)).toBe(false);
  expect(error.code).toBe('ECONNRESET');
});
