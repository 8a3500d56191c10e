import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signV4 } from '../storage/sigv4';

/** What the fake checks requests against, and what it holds. */
export interface FakeS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, Buffer>;
  /** Every request that reached it, refused or not. */
  requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const SIGNED_BY_SIGNER = new Set(['host', 'x-amz-date', 'x-amz-content-sha256']);

/**
 * A small S3 stand-in for tests (path-style, one bucket, objects in memory): it checks every
 * request's Signature V4 by recomputing it, stores a PUT only once every byte of its
 * Content-Length arrived, honours `If-None-Match: *` (412) and single byte ranges (206/416).
 */
export async function startFakeS3(): Promise<FakeS3> {
  const fake = {
    bucket: 'tessera-test',
    region: 'eu-test-1',
    accessKeyId: 'AKIDFAKES3TEST',
    secretAccessKey: 'fake-secret-key-for-tests-only',
    objects: new Map<string, Buffer>(),
    requests: [] as FakeS3['requests'],
  };

  const server = createServer((req, res) => {
    res.on('finish', () =>
      fake.requests.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode }),
    );
    if (!authentic(req)) return fail(req, res, 403, 'SignatureDoesNotMatch');
    const path = (req.url ?? '/').split('?')[0]!;
    const [, bucket, ...rest] = path.split('/');
    if (bucket !== fake.bucket) return fail(req, res, 404, 'NoSuchBucket');
    const key = rest.join('/');
    if (key === '') {
      req.resume();
      res.writeHead(req.method === 'HEAD' ? 200 : 405);
      return res.end();
    }
    const stored = fake.objects.get(key);
    switch (req.method) {
      case 'PUT': {
        if (req.headers['if-none-match'] === '*' && stored) {
          return fail(req, res, 412, 'PreconditionFailed');
        }
        const expected = Number(req.headers['content-length']);
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length !== expected) return fail(req, res, 400, 'IncompleteBody');
          fake.objects.set(key, body);
          res.writeHead(200, { etag: '"fake"' });
          res.end();
        });
        return;
      }
      case 'GET':
      case 'HEAD': {
        req.resume();
        if (!stored) return fail(req, res, 404, 'NoSuchKey');
        const range = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''));
        if (range) {
          const start = Number(range[1]);
          const end = Math.min(Number(range[2]), stored.length - 1);
          if (start >= stored.length) return fail(req, res, 416, 'InvalidRange');
          res.writeHead(206, {
            'content-length': end - start + 1,
            'content-range': `bytes ${start}-${end}/${stored.length}`,
          });
          return res.end(req.method === 'HEAD' ? undefined : stored.subarray(start, end + 1));
        }
        res.writeHead(200, { 'content-length': stored.length });
        return res.end(req.method === 'HEAD' ? undefined : stored);
      }
      case 'DELETE':
        req.resume();
        fake.objects.delete(key);
        res.writeHead(204);
        return res.end();
      default:
        return fail(req, res, 405, 'MethodNotAllowed');
    }
  });

  function authentic(req: IncomingMessage): boolean {
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization ?? ''),
      );
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!match || match[1] !== fake.accessKeyId || match[3] !== fake.region) return false;
    const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!when) return false;
    const [, y, mo, d, h, mi, s] = when;
    const now = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    const headers: Record<string, string> = {};
    for (const name of match[4]!.split(';')) {
      if (!SIGNED_BY_SIGNER.has(name)) headers[name] = String(req.headers[name] ?? '');
    }
    const expected = signV4(
      {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${req.headers.host}`),
        headers,
        payloadHash: String(req.headers['x-amz-content-sha256'] ?? ''),
      },
      {
        accessKeyId: fake.accessKeyId,
        secretAccessKey: fake.secretAccessKey,
        region: fake.region,
        service: 's3',
      },
      now,
    );
    return expected.authorization === req.headers.authorization;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fail(req: IncomingMessage, res: ServerResponse, status: number, code: string): void {
  req.resume();
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
