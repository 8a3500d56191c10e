import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayloadTooLargeError } from '../errors/domain-errors';
import { readBody } from '../http/body';

// The body reader every HTTP route uses: whole bodies within the limit, a coded refusal for a
// body over it (declared or streamed) that still lets the answer be written, and a client that
// hangs up mid-body told apart from a server failure.

const LIMIT = 1024;
let server: Server;
let port: number;
let outcomes: ((outcome: Buffer | Error) => void)[] = [];
const nextOutcome = () => new Promise<Buffer | Error>((resolve) => outcomes.push(resolve));

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const report = outcomes.shift()!;
    readBody(req, LIMIT).then(
      (body) => {
        report(body);
        res.end(`read ${body.length}`);
      },
      (error: Error) => {
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
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Sends `chunks` one write each (chunked, no Content-Length unless given). */
function send(chunks: string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ port, method: 'POST', headers }, (res) => {
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

it('refuses a declared Content-Length over the limit before reading, and answers 413', async () => {
  const outcome = nextOutcome();
  const body = 'x'.repeat(LIMIT + 1);
  const answer = await send([body], { 'content-length': String(body.length) });
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(answer.status).toBe(413);
});

it('cuts off a chunked body once it crosses the limit, and the 413 still arrives', async () => {
  const outcome = nextOutcome();
  const answer = await send(['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)]);
  expect(await outcome).toBeInstanceOf(PayloadTooLargeError);
  expect(answer.status).toBe(413);
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
