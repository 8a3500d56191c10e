import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the whole body had arrived. */
  at: number;
}

/** How to answer one request; `delayMs` holds the answer back (a slow receiver). */
export interface WebhookAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export type WebhookHandler = (
  request: ReceivedWebhook,
) => WebhookAnswer | undefined | Promise<WebhookAnswer | undefined>;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request so far, in arrival order. */
  received: ReceivedWebhook[];
  /** Answers requests to `path` (default: 200 `ok`). */
  route(path: string, handler: WebhookHandler): void;
  /** Requests to `path`. */
  at(path: string): ReceivedWebhook[];
  /** Resolves once `path` has received `count` requests (rejects after `timeoutMs`). */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A local webhook receiver on 127.0.0.1 for end-to-end tests and benchmarks: records every
 * request and answers as each path's handler says. How an endpoint's owner answers a
 * verification challenge: {@link answerChallenge}.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  // By path as well: tests poll one path's requests while thousands arrive.
  const byPath = new Map<string, ReceivedWebhook[]>();
  const handlers = new Map<string, WebhookHandler>();
  const waiters = new Set<() => void>();
  const sockets = new Set<import('node:net').Socket>();

  const answer = async (res: ServerResponse, request: ReceivedWebhook) => {
    const handler = handlers.get(request.path) ?? (() => undefined);
    const reply = (await handler(request)) ?? {};
    // Unref'd: a held answer must not keep the test process alive after close().
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs).unref());
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? 'ok');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedWebhook = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(request);
      const onPath = byPath.get(request.path);
      if (onPath) onPath.push(request);
      else byPath.set(request.path, [request]);
      for (const wake of waiters) wake();
      answer(res, request).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const at = (path: string) => [...(byPath.get(path) ?? [])];

  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    route: (path, handler) => handlers.set(path, handler),
    at,
    waitFor: (path, count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (at(path).length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(at(path));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`${path} got ${at(path).length} of ${count} requests in ${timeoutMs} ms`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether a request is the endpoint verification challenge rather than a delivery. */
export function isChallenge(request: ReceivedWebhook): boolean {
  return (JSON.parse(request.body) as { type?: string }).type === 'webhook.endpoint.verification';
}

/**
 * Answers a verification challenge as the endpoint's owner does, the way the receiver in docs/webhooks.md
 * computes it: `{ "proof": "v1," + base64 HMAC-SHA256 of the challenge }`, keyed with the bytes
 * of the `whsec_` secret (written here apart from the server's code, as a tenant would).
 */
export function answerChallenge(request: ReceivedWebhook, secret: string): WebhookAnswer {
  if (!isChallenge(request)) return {};
  const { challenge } = JSON.parse(request.body) as { challenge: string };
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const proof = `v1,${createHmac('sha256', key).update(challenge).digest('base64')}`;
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ proof }) };
}

/** Answers 200 with the request's own body, as any echo route does: it holds no secret. */
export function echoBody(request: ReceivedWebhook): WebhookAnswer {
  return { headers: { 'content-type': 'application/json' }, body: request.body };
}
