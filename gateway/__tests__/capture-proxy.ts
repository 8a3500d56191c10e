import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CaptureProxy {
  url: string;
  /** The requests the gateway sent through it (signed headers included), newest last. */
  captured: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/**
 * Stands between a gateway and one subgraph process, keeping what the gateway sent it (a
 * wiretap): its signed GraphQL fetches, or the blob requests it forwards.
 */
export async function startCaptureProxy(target: string): Promise<CaptureProxy> {
  const captured: CaptureProxy['captured'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const body = bytes.toString('utf8');
      captured.push({ method: req.method, url: req.url, headers: req.headers, body });
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name, value]) =>
            typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name),
        ),
      ) as Record<string, string>;
      void fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : bytes,
      }).then(
        async (answer) => {
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? '',
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
