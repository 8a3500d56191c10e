import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode } from '../../../platform/errors/codes';
import { eventually } from '../../../testing/eventually';
import { startLocalS3, type LocalS3 } from '../../../testing/local-s3';
import { BlobExistsError, type BlobKey } from '../storage/blob-store';
import { BlobStoreError } from '../storage/s3-errors';
import { S3BlobStore, type S3StoreOptions } from '../storage/s3-store';

// What only the S3 store has: multipart uploads, the store's own failures as coded errors,
// and the store going away and coming back. Against s3rver, a real S3-compatible server on a
// free port (testing/local-s3.ts); the last test also runs against a real endpoint
// when TEST_S3_ENDPOINT is set.

const MIB = 1024 * 1024;
const newKey = (): BlobKey => ({ tenantId: randomUUID(), assetId: randomUUID() });
const objectKey = (key: BlobKey) => `${key.tenantId}/${key.assetId}`;

async function bytesOf(stream: Readable | null): Promise<Buffer> {
  if (!stream) throw new Error('no blob');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `bytes` in 1 MiB chunks, as an upload streams in. */
function chunked(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += MIB) chunks.push(bytes.subarray(at, at + MIB));
  return Readable.from(chunks);
}

let localS3: LocalS3;
const opened: S3BlobStore[] = [];
function storeOn(server: LocalS3, options: Partial<S3StoreOptions> = {}): S3BlobStore {
  // One attempt per call: a refused connection fails at once instead of after backoff.
  const store = new S3BlobStore({ ...server, pathStyle: true, maxAttempts: 1, ...options });
  opened.push(store);
  return store;
}

beforeAll(async () => {
  localS3 = await startLocalS3();
});

afterAll(async () => {
  for (const store of opened) store.close();
  await localS3?.close();
});

it('uploads a large blob in parts and reads it back whole and by range', async () => {
  const store = storeOn(localS3, { partSizeBytes: 5 * MIB });
  const key = newKey();
  const bytes = randomBytes(12 * MIB + 123);
  await store.write(key, chunked(bytes), bytes.length);

  const seen = localS3.requests.filter((request) => request.path.endsWith(objectKey(key)));
  expect(seen.filter((request) => request.query.includes('partNumber'))).toHaveLength(3);
  expect((await localS3.objectBytes(objectKey(key)))?.equals(bytes)).toBe(true);
  expect(await store.stat(key)).toEqual({ sizeBytes: bytes.length });
  const tail = await bytesOf(await store.read(key, { start: 12 * MIB, end: 12 * MIB + 122 }));
  expect(tail.equals(bytes.subarray(12 * MIB))).toBe(true);
  // Written once, multipart or not: completing a second upload to the key is refused.
  await expect(store.write(key, chunked(randomBytes(bytes.length)), bytes.length)).rejects.toThrow(
    BlobExistsError,
  );
  expect((await localS3.objectBytes(objectKey(key)))?.equals(bytes)).toBe(true);
});

it('stores nothing when a body is longer or shorter than declared', async () => {
  const store = storeOn(localS3, { partSizeBytes: 5 * MIB });
  const short = newKey();
  await expect(store.write(short, chunked(randomBytes(6 * MIB)), 7 * MIB)).rejects.toThrow(
    /yielded 6291456 bytes where 7340032 were declared/,
  );
  const long = newKey();
  await expect(store.write(long, chunked(randomBytes(100)), 99)).rejects.toThrow(/more than 99/);
  expect(await store.stat(short)).toBeNull();
  expect(await store.stat(long)).toBeNull();
});

it('answers null for a missing object, on every read', async () => {
  const store = storeOn(localS3);
  const key = newKey();
  expect(await store.stat(key)).toBeNull();
  expect(await store.read(key)).toBeNull();
  expect(await store.read(key, { start: 0, end: 9 })).toBeNull();
  await expect(store.delete(key)).resolves.toBeUndefined();
});

it('refuses wrong credentials with a coded error that names no secret', async () => {
  const wrongSecret = storeOn(localS3, { secretAccessKey: 'not-the-secret' });
  const unknownKey = storeOn(localS3, { accessKeyId: 'AKIDUNKNOWN' });
  for (const store of [wrongSecret, unknownKey]) {
    const failure = await store.stat(newKey()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BlobStoreError);
    expect(failure).toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
      httpStatus: 503,
      failure: 'denied',
      status: 403,
      operation: 'HeadObject',
    });
    expect(String((failure as Error).message)).not.toMatch(/S3RVER|not-the-secret|AKID/);
    await expect(store.check()).rejects.toMatchObject({ failure: 'denied' });
    const key = newKey();
    await expect(store.write(key, Readable.from([Buffer.from('x')]), 1)).rejects.toMatchObject({
      failure: 'denied',
      operation: 'PutObject',
    });
    expect(await localS3.objectBytes(objectKey(key))).toBeNull();
  }
});

it('fails with a coded error while the server is gone, and loses nothing', async () => {
  const store = storeOn(localS3, { partSizeBytes: 5 * MIB });
  const kept = newKey();
  const keptBytes = randomBytes(4096);
  await store.write(kept, Readable.from([keptBytes]), keptBytes.length);

  // The server goes away half-way through a multipart upload: its first part has arrived.
  const cut = newKey();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const body = Readable.from(
    (async function* () {
      // More than one part, so the first goes up before the rest of the body is there.
      yield randomBytes(6 * MIB);
      await held;
      yield randomBytes(4 * MIB);
    })(),
  );
  const writing = store.write(cut, body, 10 * MIB).catch((error: unknown) => error);
  await eventually(() =>
    localS3.requests.some(
      (request) => request.path.endsWith(objectKey(cut)) && request.query.includes('partNumber'),
    ),
  );
  await localS3.stop();
  release();
  expect(await writing).toMatchObject({ failure: 'unreachable', code: 'SERVICE_UNAVAILABLE' });

  const later = newKey();
  await expect(store.write(later, Readable.from([Buffer.from('x')]), 1)).rejects.toMatchObject({
    failure: 'unreachable',
    operation: 'PutObject',
  });
  await expect(store.read(kept)).rejects.toMatchObject({ failure: 'unreachable' });
  await expect(store.check()).rejects.toBeInstanceOf(BlobStoreError);

  // Back: what was stored is whole, what failed left no object and can be written again.
  await localS3.start();
  expect((await bytesOf(await store.read(kept))).equals(keptBytes)).toBe(true);
  expect(await store.stat(cut)).toBeNull();
  expect(await store.stat(later)).toBeNull();
  await store.write(later, Readable.from([Buffer.from('x')]), 1);
  expect(await store.stat(later)).toEqual({ sizeBytes: 1 });
  await expect(store.check()).resolves.toBeUndefined();
});

// A real S3-compatible endpoint (MinIO, AWS) when one is configured for the test run.
const real = process.env.TEST_S3_ENDPOINT;
(real ? it : it.skip)('round-trips a blob through the S3 endpoint TEST_S3_ENDPOINT', async () => {
  const store = new S3BlobStore({
    endpoint: real!,
    bucket: process.env.TEST_S3_BUCKET ?? 'tessera-test',
    region: process.env.TEST_S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? '',
    pathStyle: true,
  });
  opened.push(store);
  const key = newKey();
  const bytes = randomBytes(4096);
  await store.write(key, Readable.from([bytes]), bytes.length);
  try {
    const piece = await bytesOf(await store.read(key, { start: 0, end: 99 }));
    expect(piece.equals(bytes.subarray(0, 100))).toBe(true);
    await expect(store.write(key, Readable.from([bytes]), bytes.length)).rejects.toThrow(
      BlobExistsError,
    );
  } finally {
    await store.delete(key);
  }
});
