import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `pass`: forward; `fail`: answer 500 at once; `hang`: keep the request and never answer. */
export type FaultMode = 'pass' | 'fail' | 'hang';

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  /** Requests that reached the proxy (whatever the mode): a refused call never gets here. */
  received: number;
  /** Requests held open in `hang` mode right now. */
  readonly hanging: number;
  close(): Promise<void>;
}

/**
 * Stands between a process and one target it calls (a subgraph, an internal route) and fails
 * or hangs on demand, so a test decides exactly when the target stops answering and when it is
 * back. Hanging requests are answered 502 when the proxy closes, so teardown is bounded.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const held = new Set<ServerResponse>();
  const proxy = {
    url: '',
    mode: 'pass' as FaultMode,
    received: 0,
    get hanging() {
      return held.size;
    },
    close: async () => {
      for (const res of held) res.writeHead(502).end();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    proxy.received++;
    if (proxy.mode === 'fail') {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('injected failure');
      return;
    }
    if (proxy.mode === 'hang') {
      req.resume();
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    void forward(target, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

async function forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(
      ([name, value]) =>
        typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name),
    ),
  ) as Record<string, string>;
  try {
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  } catch {
    res.writeHead(502).end();
  }
}
