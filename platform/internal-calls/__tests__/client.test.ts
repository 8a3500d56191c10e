import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import {
  DEVELOPMENT_KEY_ID,
  developmentSeed,
  privateKeyFromSeed,
  ServicePublicKeys,
  signingKeyFromSeed,
} from '../../context/service-keys';
import { RequestSigner, RequestVerifier } from '../../context/signed-request';
import { anonymousContext } from '../../context/request-context';
import { TargetGuard, TargetUnavailableError } from '../../resilience/target-guard';
import { InternalCallError, InternalClient } from '../client';
import { defineInternalCall } from '../contract';

// A real HTTP server on loopback plays the called service; each test says how it answers.

const echoCall = defineInternalCall({
  name: 'the echo',
  path: '/internal/echo',
  servedBy: ['auth'],
  callers: ['gateway'],
  mutating: false,
  request: z.object({ word: z.string() }),
  answer: z.object({ echoed: z.string() }),
  timeoutMs: 2_000,
  bodyLimitBytes: 1_024,
});

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

let server: Server;
let handler: Handler;
let url: string;
let client: InternalClient;
/** Requests the server has seen whose connection closed before it answered. */
let abandoned: Promise<void>[];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}/ignored/path`;
  client = clientOf(url);
});

beforeEach(() => {
  abandoned = [];
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  server.close();
});

/** A client signing as the gateway, calling auth at `authUrl`. */
function clientOf(authUrl: string, guard?: TargetGuard): InternalClient {
  return new InternalClient({
    signer: new RequestSigner(
      signingKeyFromSeed('gateway', DEVELOPMENT_KEY_ID, developmentSeed('gateway')),
    ),
    urls: { auth: authUrl },
    logger: pino({ level: 'silent' }),
    guards: guard && { auth: guard },
  });
}

function answerJson(status: number, body: unknown): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** Sends the headers (and `start` of the body, if any), then never finishes the answer. */
function hangAfter(start?: string): Handler {
  return (_request, response) => {
    abandoned.push(once(response, 'close').then(() => undefined));
    if (start === undefined) return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write(start);
  };
}

async function failureOf(promise: Promise<unknown>): Promise<InternalCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InternalCallError);
  return error as InternalCallError;
}

describe('InternalClient', () => {
  it('posts the request signed for the service, the path and the body, and parses the answer', async () => {
    let seen: { path?: string; headers: IncomingMessage['headers']; body: string } | undefined;
    handler = (request, response, body) => {
      seen = { path: request.url, headers: request.headers, body };
      answerJson(200, { echoed: 'héllo wörld'.repeat(2_000) })(request, response, body);
    };

    const answer = await client.call(echoCall, { word: 'hi' }, { requestId: 'req-1' });

    expect(answer).toEqual({ echoed: 'héllo wörld'.repeat(2_000) });
    expect(seen?.path).toBe('/internal/echo');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['x-request-id']).toBe('req-1');
    expect(JSON.parse(seen!.body)).toEqual({ word: 'hi' });
    const verifier = new RequestVerifier({
      self: 'auth',
      keys: new ServicePublicKeys([
        {
          service: 'gateway',
          kid: DEVELOPMENT_KEY_ID,
          publicKey: createPublicKey(privateKeyFromSeed(developmentSeed('gateway'))),
        },
      ]),
      maxAgeSeconds: 60,
    });
    const verified = verifier.verify(seen!.headers, { method: 'POST', path: '/internal/echo' }, [
      'gateway',
    ]);
    expect(verified.context).toEqual(anonymousContext('req-1'));
    expect(() => verified.checkBody(Buffer.from(seen!.body))).not.toThrow();
  });

  it('keeps a coded refusal: status and code', async () => {
    handler = answerJson(403, { errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] });

    const error = await failureOf(client.call(echoCall, { word: 'hi' }));

    expect(error.reason).toBe('HTTP 403 FORBIDDEN');
    expect(error.answered).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('blames the service for a 5xx, not for a refusal: its circuit opens on the one only', async () => {
    const guarded = clientOf(
      url,
      new TargetGuard({
        target: 'auth',
        failureThreshold: 1,
        coolDownMs: 60_000,
        maxConcurrent: 4,
        maxQueued: 4,
        now: () => 0,
      }),
    );
    let served = 0;
    const counting =
      (answer: Handler): Handler =>
      (request, response, body) => {
        served += 1;
        answer(request, response, body);
      };

    handler = counting(answerJson(404, { errors: [{ extensions: { code: 'NOT_FOUND' } }] }));
    await failureOf(guarded.call(echoCall, { word: 'hi' }));
    await failureOf(guarded.call(echoCall, { word: 'hi' }));
    expect(served).toBe(2);

    handler = counting(answerJson(500, { errors: [{ extensions: { code: 'INTERNAL' } }] }));
    await failureOf(guarded.call(echoCall, { word: 'hi' }));
    await expect(guarded.call(echoCall, { word: 'hi' })).rejects.toBeInstanceOf(
      TargetUnavailableError,
    );
    expect(served).toBe(3);
    await guarded.close();
  });

  it('reports a failure status whose body is not JSON', async () => {
    handler = answerJson(502, '<html>bad gateway</html>');

    const error = await failureOf(client.call(echoCall, { word: 'hi' }));

    expect(error.reason).toBe('HTTP 502');
    expect(error.answered).toEqual({ status: 502, code: undefined });
  });

  it.each([
    ['not JSON', '{"echoed":'],
    ['JSON the contract does not allow', { echoed: 42 }],
  ])('refuses an answer that is %s', async (_what, body) => {
    handler = answerJson(200, body);

    const error = await failureOf(client.call(echoCall, { word: 'hi' }));

    expect(error.reason).toBe('a malformed answer');
    expect(error.answered).toEqual({ status: 200 });
  });

  it.each([
    ['no answer at all', undefined],
    ['the headers and half a body', '{"echoed":"hal'],
  ])('gives up on %s at the timeout, and lets go of the request', async (_what, start) => {
    handler = hangAfter(start);

    // Long enough for the request to reach the server even on a loaded machine, so the test
    // sees it let go of; the limit itself is AbortSignal.timeout's.
    const error = await failureOf(client.call(echoCall, { word: 'hi' }, { timeoutMs: 1_000 }));

    expect(error.reason).toBe('no answer within 1000 ms');
    expect(error.answered).toBeUndefined();
    // The server sees the request go away rather than holding it for ever.
    expect(abandoned).toHaveLength(1);
    await abandoned[0];
  });

  it('says a service that refuses connections is unreachable', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const toNowhere = clientOf(`http://127.0.0.1:${port}`);

    const error = await failureOf(toNowhere.call(echoCall, { word: 'hi' }));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('auth could not answer the echo: unreachable; retry shortly');
    await toNowhere.close();
  });

  it('fails a call still waiting when it closes, instead of waiting for the answer', async () => {
    handler = hangAfter();
    const closing = clientOf(url);
    const waiting = failureOf(closing.call(echoCall, { word: 'hi' }));
    await new Promise<void>((resolve) => server.once('request', () => resolve()));

    await closing.close();

    expect((await waiting).reason).toBe('unreachable');
    await abandoned[0];
  });

  it('answers many calls at once over its pool', async () => {
    handler = (request, response, body) =>
      answerJson(200, { echoed: (JSON.parse(body) as { word: string }).word })(
        request,
        response,
        body,
      );

    const words = Array.from({ length: 50 }, (_, index) => `w${index}`);
    const answers = await Promise.all(words.map((word) => client.call(echoCall, { word })));

    expect(answers.map((answer) => answer.echoed)).toEqual(words);
  });
});
