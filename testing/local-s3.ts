import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './free-port';
import { signedWith } from './s3-signature-check';

/** A request as the local S3 server saw it (path and the names of its query parameters). */
export interface SeenS3Request {
  method: string;
  path: string;
  query: string[];
  status: number;
}

/** A real S3-compatible server (s3rver) on a free port, its objects in a temporary directory. */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  requests: SeenS3Request[];
  /** The stored object's bytes, read from the server's own store, or null. */
  objectBytes(key: string): Promise<Buffer | null>;
  /** The server goes away (connections cut); its objects stay on disk. */
  stop(): Promise<void>;
  /** Back on the same port, with the same objects. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

// s3rver's one account.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

/**
 * Starts s3rver for a test. It stores uploads (single and multipart) on
 * disk and serves ranges. What it lacks the harness adds: it checks only the access key id, so
 * every signature made with its key is verified here too (a wrong secret gets 403
 * SignatureDoesNotMatch); and it predates S3's conditional writes, so the one the blob store
 * relies on (`If-None-Match: *` on PutObject and CompleteMultipartUpload answers
 * 412 when the key holds an object, as AWS S3 and MinIO do). Teardown is bounded: stop cuts
 * every open connection.
 */
export async function startLocalS3(bucket = 'tessera-test'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-s3-'));
  const s3 = new S3rver({ directory, silent: true, configureBuckets: [{ name: bucket }] });
  const requests: SeenS3Request[] = [];
  s3.middleware.unshift(async (ctx, next) => {
    try {
      if (usesOwnKey(ctx) && !(await signedWith(ctx.req, ACCESS_KEY_ID, SECRET_ACCESS_KEY))) {
        ctx.status = 403;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code>' +
          '<Message>The request signature we calculated does not match the signature you provided</Message></Error>';
        return;
      }
      if (await refusedAsExisting(s3, ctx)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
        return;
      }
      await next();
    } finally {
      requests.push({
        method: ctx.method,
        path: ctx.path,
        query: Object.keys(ctx.query),
        status: ctx.status,
      });
    }
  });
  await s3.configureBuckets();
  const port = await freePort();
  let server: Server | null = null;

  const start = async () => {
    const listening = createServer(s3.callback());
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', resolve);
    });
    server = listening;
  };
  const stop = async () => {
    const running = server;
    server = null;
    if (!running) return;
    running.closeAllConnections();
    await new Promise<void>((resolve) => running.close(() => resolve()));
  };
  await start();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    requests,
    async objectBytes(key) {
      const object = await s3.store.getObject(bucket, key);
      if (!object) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of object.content) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A conditional write, with s3rver's own access key, to a key that already holds an object. */
async function refusedAsExisting(
  s3: S3rver,
  ctx: {
    method: string;
    path: string;
    query: Record<string, unknown>;
    headers: Record<string, unknown>;
  },
): Promise<boolean> {
  const completing = ctx.method === 'POST' && 'uploadId' in ctx.query;
  const putting = ctx.method === 'PUT' && !('uploadId' in ctx.query);
  if (!(completing || putting) || ctx.headers['if-none-match'] !== '*') return false;
  // Requests with another key go on to s3rver, which refuses them (403), as S3 would first.
  if (!usesOwnKey(ctx)) return false;
  const [, bucket, ...key] = ctx.path.split('/');
  if (!bucket || key.length === 0) return false;
  // By its metadata, which s3rver writes only once an upload completed (an upload cut short
  // leaves a partial data file behind, which is no object).
  const object = await s3.store.getObject(bucket, decodeURIComponent(key.join('/')));
  object?.content.destroy();
  return object !== null;
}

/** Signed with s3rver's access key id (s3rver itself refuses any other with 403). */
function usesOwnKey(ctx: { headers: Record<string, unknown> }): boolean {
  const authorization = ctx.headers.authorization;
  return (
    typeof authorization === 'string' && authorization.includes(`Credential=${ACCESS_KEY_ID}/`)
  );
}
