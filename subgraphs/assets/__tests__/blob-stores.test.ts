import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BlobExistsError,
  InvalidBlobKeyError,
  type BlobKey,
  type BlobStore,
} from '../storage/blob-store';
import { LocalDiskBlobStore } from '../storage/local-disk-store';
import { S3BlobStore } from '../storage/s3-store';
import { signV4 } from '../storage/sigv4';
import { startFakeS3, type FakeS3 } from './fake-s3';

// Both stores keep the same promises: written once and whole, or not at all.

const newKey = (): BlobKey => ({ tenantId: randomUUID(), assetId: randomUUID() });

async function text(stream: Readable | null): Promise<Buffer> {
  if (!stream) throw new Error('no blob');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body that yields `bytes` and then fails, as a verifying stream does on a bad upload. */
function failingBody(bytes: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield bytes;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('the client went away');
    })(),
  );
}

let root: string;
let fakeS3: FakeS3;
const stores: Record<string, () => BlobStore> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-blobs-'));
  const local = await LocalDiskBlobStore.open(join(root, 'store'));
  fakeS3 = await startFakeS3();
  const s3 = new S3BlobStore({ ...fakeS3, pathStyle: true });
  stores.local = () => local;
  stores.s3 = () => s3;
});

afterAll(async () => {
  await fakeS3?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.each(['local', 's3'])('the %s blob store', (kind) => {
  const store = () => stores[kind]!();

  it('writes a blob once and reads it back whole, by range, and by size', async () => {
    const key = newKey();
    const bytes = randomBytes(100_000);
    await store().write(
      key,
      Readable.from([bytes.subarray(0, 60_000), bytes.subarray(60_000)]),
      100_000,
    );
    expect(await store().stat(key)).toEqual({ sizeBytes: 100_000 });
    expect((await text(await store().read(key))).equals(bytes)).toBe(true);
    const piece = await text(await store().read(key, { start: 10, end: 19 }));
    expect(piece.equals(bytes.subarray(10, 20))).toBe(true);
  });

  it('refuses to replace a blob that is already there', async () => {
    const key = newKey();
    await store().write(key, Readable.from([Buffer.from('first')]), 5);
    await expect(store().write(key, Readable.from([Buffer.from('other')]), 5)).rejects.toThrow(
      BlobExistsError,
    );
    expect((await text(await store().read(key))).toString()).toBe('first');
  });

  it('keeps nothing when the body fails half-way', async () => {
    const key = newKey();
    await expect(store().write(key, failingBody(randomBytes(1000)), 2000)).rejects.toThrow(
      'the client went away',
    );
    expect(await store().stat(key)).toBeNull();
    expect(await store().read(key)).toBeNull();
  });

  it('answers null for a missing blob and deletes idempotently', async () => {
    const key = newKey();
    expect(await store().stat(key)).toBeNull();
    await store().write(key, Readable.from([Buffer.from('x')]), 1);
    await store().delete(key);
    await store().delete(key);
    expect(await store().stat(key)).toBeNull();
  });

  it.each([
    ['a parent directory', { tenantId: '..', assetId: randomUUID() }],
    ['a path', { tenantId: randomUUID(), assetId: '../../etc/passwd' }],
    ['an upper-case id', { tenantId: randomUUID().toUpperCase(), assetId: randomUUID() }],
    ['a NUL byte', { tenantId: randomUUID(), assetId: `${randomUUID()}\u0000` }],
    ['an encoded separator', { tenantId: randomUUID(), assetId: `..%2f${randomUUID()}` }],
  ])('refuses a key holding %s before touching storage', async (_case, key) => {
    const before = kind === 's3' ? fakeS3.requests.length : 0;
    await expect(store().write(key, Readable.from([Buffer.from('x')]), 1)).rejects.toThrow(
      InvalidBlobKeyError,
    );
    await expect(store().read(key)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store().delete(key)).rejects.toThrow(InvalidBlobKeyError);
    if (kind === 's3') expect(fakeS3.requests.length).toBe(before);
  });

  it('reports itself ready', async () => {
    await expect(store().check()).resolves.toBeUndefined();
  });
});

describe('the local blob store', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));

  it('lays blobs out by tenant and asset id under its root, with no part files left', async () => {
    const store = await LocalDiskBlobStore.open(join(root, 'layout'));
    const key = newKey();
    await store.write(key, Readable.from([Buffer.from('hello')]), 5);
    await expect(store.write(newKey(), failingBody(Buffer.from('x')), 5)).rejects.toThrow();
    expect(files(join(root, 'layout'))).toEqual([
      join(root, 'layout', key.tenantId, key.assetId.slice(0, 2), key.assetId),
    ]);
  });

  it('does not follow a symlink planted where a blob should be', async () => {
    const store = await LocalDiskBlobStore.open(join(root, 'links'));
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'secret');
    const key = newKey();
    const path = store.pathOf(key);
    mkdirSync(join(path, '..'), { recursive: true });
    symlinkSync(outside, path);
    await expect(store.read(key)).rejects.toThrow(/ELOOP|symbolic/);
  });
});

describe('the S3 blob store', () => {
  it('signs like AWS: the Signature V4 example of the S3 documentation', () => {
    const headers = signV4(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { range: 'bytes=0-9' },
        payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
      {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        region: 'us-east-1',
        service: 's3',
      },
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('fails clearly with wrong credentials', async () => {
    const store = new S3BlobStore({ ...fakeS3, secretAccessKey: 'wrong', pathStyle: true });
    await expect(store.stat(newKey())).rejects.toThrow('S3 HeadObject failed with HTTP 403');
    await expect(store.check()).rejects.toThrow(/HeadBucket failed with HTTP 403/);
  });

  // A real S3-compatible endpoint (MinIO, AWS) when one is configured for the test run.
  const real = process.env.TEST_S3_ENDPOINT;
  const withEndpoint = real ? it : it.skip;
  if (!real) {
    console.warn(
      'blob-stores: skipping the real S3 round trip: set TEST_S3_ENDPOINT, TEST_S3_BUCKET, ' +
        'TEST_S3_ACCESS_KEY_ID, TEST_S3_SECRET_ACCESS_KEY (and TEST_S3_REGION) to run it',
    );
  }
  withEndpoint('round-trips a blob through a real S3-compatible endpoint', async () => {
    const store = new S3BlobStore({
      endpoint: real!,
      bucket: process.env.TEST_S3_BUCKET ?? 'tessera-test',
      region: process.env.TEST_S3_REGION ?? 'us-east-1',
      accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? '',
      pathStyle: true,
    });
    const key = newKey();
    const bytes = randomBytes(4096);
    await store.write(key, Readable.from([bytes]), bytes.length);
    try {
      expect(
        (await text(await store.read(key, { start: 0, end: 99 }))).equals(bytes.subarray(0, 100)),
      ).toBe(true);
      await expect(store.write(key, Readable.from([bytes]), bytes.length)).rejects.toThrow(
        BlobExistsError,
      );
    } finally {
      await store.delete(key);
    }
  });
});
