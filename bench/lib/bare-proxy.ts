import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { signingKeyFromSeed } from '../../platform/context/service-keys';
import { CONTEXT_HEADER, RequestSigner } from '../../platform/context/signed-request';

// The floor of any gateway written in Node, for the production-path bench: an HTTP server
// that forwards each request's method, path, headers and body to one upstream over a pool of
// keep-alive connections (undici, as the gateway's subgraph client, with its default of 32),
// and answers with the upstream's status and body. No authentication, no GraphQL: the client's
// own signed headers pass through. What the gateway adds is measured against it.
//
// Given BENCH_SIGNING_KEY (the gateway's `kid:base64` seed), it also does the one piece of
// work the design requires of every gateway for every subgraph request: it signs the context
// it forwards afresh (its body's hash, a nonce, the time, Ed25519), as the gateway's
// RequestSigner does, in place of any signature the client sent.
const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error('BENCH_UPSTREAM is required');
const pool = new Pool(upstream, { connections: 32, pipelining: 1 });
const signer = gatewaySigner(process.env.BENCH_SIGNING_KEY);

function gatewaySigner(key: string | undefined): RequestSigner | undefined {
  if (!key) return undefined;
  const colon = key.indexOf(':');
  return new RequestSigner(
    signingKeyFromSeed('gateway', key.slice(0, colon), Buffer.from(key.slice(colon + 1), 'base64')),
  );
}

/** Hop-by-hop headers, and the ones undici sets itself. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
]);

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) forwarded[name] = value;
  }
  return forwarded;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const method = req.method ?? 'POST';
    const headers = forwardedHeaders(req.headers);
    const context = req.headers[CONTEXT_HEADER];
    if (signer && typeof context === 'string') {
      Object.assign(headers, signer.sign({ audience: 'assets', method, path, body }, context));
    }
    pool
      .request({ method, path, headers, body })
      .then(async (answer) => {
        const answered = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, {
          'content-type': String(answer.headers['content-type'] ?? 'application/octet-stream'),
          'content-length': answered.length,
        });
        res.end(answered);
      })
      .catch((error: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`upstream failed: ${String(error)}`);
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.close().then(() => process.exit(0));
});
