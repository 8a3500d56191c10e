import { randomBytes, randomUUID } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
import { startLocalS3, type LocalS3 } from '../../../testing/local-s3';
import { S3BlobStore } from '../storage/s3-store';

// Both stores keep the same promises: written once and whole, or not at all. The S3 store runs
// against a local S3-compatible server (s3rver); s3-blob-store.test.ts covers what only it has.

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
      // Thrown when the store asks for more, after it has taken the bytes.
      throw new Error('the client went away');
    })(),
  );
}

let root: string;
let localS3: LocalS3;
let s3: S3BlobStore;
const stores: Record<string, () => BlobStore> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-blobs-'));
  const local = await LocalDiskBlobStore.open(join(root, 'store'));
  localS3 = await startLocalS3();
  s3 = new S3BlobStore({ ...localS3, pathStyle: true });
  stores.local = () => local;
  stores.s3 = () => s3;
});

afterAll(async () => {
  s3?.close();
  await localS3?.close();
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
    const before = kind === 's3' ? localS3.requests.length : 0;
    await expect(store().write(key, Readable.from([Buffer.from('x')]), 1)).rejects.toThrow(
      InvalidBlobKeyError,
    );
    await expect(store().read(key)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store().delete(key)).rejects.toThrow(InvalidBlobKeyError);
    if (kind === 's3') expect(localS3.requests.length).toBe(before);
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

  it('has closed its part file, and removed it, by the time a refused write settles', async () => {
    const dir = join(root, 'refused');
    const store = await LocalDiskBlobStore.open(dir);
    /** Paths of this process's open files under the store (Linux's /proc). */
    const openUnder = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(join('/proc/self/fd', fd));
          } catch {
            return '';
          }
        })
        .filter((path) => path.startsWith(dir));
    // A body cut off at its second chunk, as an upload past its declared size is: the write
    // fails while the part file may still be opening, or open with a chunk queued for it.
    const cutOff = () =>
      Readable.from(
        (async function* () {
          yield randomBytes(600);
          throw new Error('past the declared size');
        })(),
      );
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await expect(store.write(newKey(), cutOff(), 1000)).rejects.toThrow('past the declared size');
      // Left open, the file's open could still complete after its unlink, and stay behind.
      expect(openUnder()).toEqual([]);
    }
    expect(files(dir)).toEqual([]);
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
