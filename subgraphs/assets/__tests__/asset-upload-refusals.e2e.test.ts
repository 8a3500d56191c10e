import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { BlobUrls, blobUrlKeys } from '../services/blob-urls';
import {
  AssetsClient,
  blobPath,
  contentDigest,
  get,
  httpCodeOf,
  putBytes,
  putChunked,
  send,
  sha256,
  storedFiles,
  type HttpAnswer,
} from './assets-client';
import { codeOf } from '../../../testing/graphql-client';

// Every way an upload can go wrong: each gets a coded error, and none leaves a blob behind
// (nor a row, when the refusal comes before one is created).

const MAX_BYTES = 64 * 1024;
const QUOTA_BYTES = 1024 * 1024;
const tenantA = randomUUID();
const tenantB = randomUUID();
const tenantFull = randomUUID();
let stack: TestStack;
let storage: string;
let memberA: TestUser;
let memberB: TestUser;
let memberFull: TestUser;
const clientOf = (user: TestUser, tenantId: string) =>
  new AssetsClient(stack.gatewayUrl, user.headers(tenantId));
let a: AssetsClient;

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-assets-refusals-'));
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    env: {
      ASSETS_STORAGE_PATH: storage,
      ASSETS_MAX_BYTES: String(MAX_BYTES),
      ASSETS_TENANT_QUOTA_BYTES: String(QUOTA_BYTES),
      ASSETS_CONTENT_TYPES: 'image/*,text/plain,application/octet-stream,application/pdf',
    },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'alpha', 'A'), ($2, 'bravo', 'B'), ($3, 'full', 'Full')`,
    [tenantA, tenantB, tenantFull],
  );
  [memberA, memberB, memberFull] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantB, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantFull, 'MEMBER'),
  ]);
  a = clientOf(memberA, tenantA);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

const countOf = async (table: string, tenantId: string) =>
  Number(
    (
      await stack.db.query<{ count: string }>(
        `SELECT count(*) FROM ${table} WHERE tenant_id = $1`,
        [tenantId],
      )
    )[0]!.count,
  );
const rowsOf = (tenantId: string) => countOf('assets.assets', tenantId);
const eventsOf = (tenantId: string) => countOf('events.events', tenantId);
const statusOf = async (id: string) =>
  (
    await stack.db.query<{ status: string }>(`SELECT status FROM assets.assets WHERE id = $1`, [id])
  )[0]?.status;
/** No blob for the asset, and no half-written part file anywhere in the store. */
const expectNoBlob = (tenantId: string, assetId: string) => {
  expect(existsSync(join(storage, blobPath(tenantId, assetId)))).toBe(false);
  expect(storedFiles(storage).filter((file) => file.endsWith('.part'))).toEqual([]);
};
const refusal = (answer: HttpAnswer) => [answer.status, httpCodeOf(answer)];

describe('declared entries', () => {
  it('refuses a declared size over the per-asset limit with PAYLOAD_TOO_LARGE and no row', async () => {
    const before = await rowsOf(tenantA);
    const response = await a.createUpload({ sizeBytes: MAX_BYTES + 1 });
    expect(codeOf(response)).toBe('PAYLOAD_TOO_LARGE');
    expect(response.body.errors?.[0]?.extensions?.limitBytes).toBe(MAX_BYTES);
    expect(await rowsOf(tenantA)).toBe(before);
  });

  it('refuses an oversized entry of a batch before anything of it is stored', async () => {
    const before = await rowsOf(tenantA);
    const response = await a.call(`mutation {
      big: createAssetUpload(name: "big.bin", contentType: "application/octet-stream", sizeBytes: ${MAX_BYTES + 1}) { uploadUrl }
      small: createAssetUpload(name: "small.bin", contentType: "application/octet-stream", sizeBytes: 1) { uploadUrl }
    }`);
    expect(codeOf(response)).toBe('PAYLOAD_TOO_LARGE');
    expect(response.body.errors?.[0]?.path).toEqual(['big']);
    expect(await rowsOf(tenantA)).toBe(before);
  });

  it("refuses an upload past the tenant's quota, counting pending and deleted assets", async () => {
    const full = clientOf(memberFull, tenantFull);
    const kept = await full.mustCreate({ sizeBytes: MAX_BYTES });
    await full.call(`mutation { deleteAsset(id: "${kept.asset.id}") { id } }`);
    await stack.db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
       VALUES ($1, 'huge.bin', 'application/octet-stream', $2, $3)`,
      [tenantFull, QUOTA_BYTES - 2 * MAX_BYTES, memberFull.id],
    );
    expect((await full.createUpload({ sizeBytes: MAX_BYTES })).body.errors).toBeUndefined();
    const before = await rowsOf(tenantFull);
    const eventsBefore = await eventsOf(tenantFull);
    const response = await full.createUpload({ sizeBytes: 1 });
    expect(codeOf(response)).toBe('PAYLOAD_TOO_LARGE');
    expect(response.body.errors?.[0]?.extensions?.limitBytes).toBe(QUOTA_BYTES);
    expect(await rowsOf(tenantFull)).toBe(before);
    // The refused upload journals nothing either.
    expect(await eventsOf(tenantFull)).toBe(eventsBefore);
    // Other tenants have room of their own.
    expect((await a.createUpload({ sizeBytes: MAX_BYTES })).body.errors).toBeUndefined();
  });

  it.each([
    ['a content type with parameters', { contentType: 'text/plain; charset=utf-8' }],
    ['a malformed content type', { contentType: 'not a type' }],
    ['a content type not configured', { contentType: 'text/html' }],
    ['a name of dots', { name: '..' }],
    ['a negative size', { sizeBytes: -1 }],
    ['a malformed checksum', { checksumSha256: 'abc' }],
  ])('refuses %s with BAD_USER_INPUT and no row', async (_case, input) => {
    const before = await rowsOf(tenantA);
    expect(codeOf(await a.createUpload({ sizeBytes: 1, ...input }))).toBe('BAD_USER_INPUT');
    expect(await rowsOf(tenantA)).toBe(before);
  });
});

describe('the PUT', () => {
  it('refuses a Content-Length over the declared size with 413 and keeps nothing', async () => {
    const created = await a.mustCreate({ sizeBytes: 100 });
    const answer = await putBytes(created.uploadUrl, randomBytes(101));
    expect(refusal(answer)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expectNoBlob(tenantA, created.asset.id);
    expect(await statusOf(created.asset.id)).toBe('PENDING');
    // Nothing was kept, so the right bytes can still be sent.
    expect((await putBytes(created.uploadUrl, randomBytes(100))).status).toBe(200);
  });

  it('cuts off a chunked body at the first byte past the declared size', async () => {
    const created = await a.mustCreate({ sizeBytes: 1000 });
    const answer = await putChunked(created.uploadUrl, [randomBytes(600), randomBytes(600)]);
    expect(refusal(answer)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expectNoBlob(tenantA, created.asset.id);
  });

  it('refuses a body shorter than declared with BAD_USER_INPUT and keeps nothing', async () => {
    const created = await a.mustCreate({ sizeBytes: 1000 });
    const answer = await putChunked(created.uploadUrl, [randomBytes(999)]);
    expect(refusal(answer)).toEqual([400, 'BAD_USER_INPUT']);
    expectNoBlob(tenantA, created.asset.id);
  });

  it('refuses bytes whose SHA-256 differs from the declared checksum, and keeps nothing', async () => {
    const good = randomBytes(500);
    const created = await a.mustCreate({ sizeBytes: 500, checksumSha256: sha256(good) });
    const answer = await putBytes(created.uploadUrl, randomBytes(500));
    expect(refusal(answer)).toEqual([400, 'BAD_USER_INPUT']);
    expectNoBlob(tenantA, created.asset.id);
    expect(codeOf(await a.complete(created.asset.id))).toBe('CONFLICT');
    expect(await statusOf(created.asset.id)).toBe('PENDING');
  });

  it('refuses bytes that differ from their own Content-Digest', async () => {
    const created = await a.mustCreate({ sizeBytes: 500 });
    const answer = await putBytes(created.uploadUrl, randomBytes(500), {
      'content-digest': contentDigest(randomBytes(500)),
    });
    expect(refusal(answer)).toEqual([400, 'BAD_USER_INPUT']);
    expectNoBlob(tenantA, created.asset.id);
  });

  it('refuses an expired URL with 403 before reading the body', async () => {
    const created = await a.mustCreate({ sizeBytes: 10 });
    const signer = new BlobUrls({
      // Without ASSETS_URL_SECRETS, URL keys come from the assets process's own signing key.
      keys: blobUrlKeys([stack.keys.seed('assets')]),
      publicUrl: () => stack.url('assets'),
      uploadTtlSeconds: 60,
      downloadTtlSeconds: 60,
    });
    const expired = signer.upload(
      { tenantId: tenantA, assetId: created.asset.id },
      Date.now() - 3_600_000,
    );
    const answer = await putBytes(expired.url, randomBytes(10));
    expect(refusal(answer)).toEqual([403, 'FORBIDDEN']);
    expect(answer.json?.errors?.[0]?.message).toBe('This URL has expired');
    expectNoBlob(tenantA, created.asset.id);
  });

  it.each([
    [
      'a later expiry',
      (url: URL) =>
        url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 60)),
    ],
    ['another signature', (url: URL) => url.searchParams.set('signature', 'A'.repeat(43))],
    ['no signature', (url: URL) => url.searchParams.delete('signature')],
  ])('refuses a URL tampered with (%s) with 403', async (_case, tamper) => {
    const created = await a.mustCreate({ sizeBytes: 10 });
    const url = new URL(created.uploadUrl);
    tamper(url);
    const answer = await putBytes(url.toString(), randomBytes(10));
    expect(refusal(answer)).toEqual([403, 'FORBIDDEN']);
    expectNoBlob(tenantA, created.asset.id);
  });

  it('refuses an upload URL used to download, and a download URL used to upload', async () => {
    const asset = await a.upload(Buffer.from('abc'));
    const created = await a.mustCreate({ sizeBytes: 3 });
    expect(refusal(await get(created.uploadUrl))).toEqual([403, 'FORBIDDEN']);
    expect(refusal(await putBytes(asset.downloadUrl!, Buffer.from('xyz')))).toEqual([
      403,
      'FORBIDDEN',
    ]);
  });
});

describe("another tenant's assets", () => {
  it("cannot be reached by editing a URL's tenant or asset id", async () => {
    const b = clientOf(memberB, tenantB);
    const victim = await a.upload(Buffer.from('tenant A only'));
    const pendingVictim = await a.mustCreate({ sizeBytes: 5 });
    const own = await b.mustCreate({ sizeBytes: 5 });
    const ownRead = await b.upload(Buffer.from('B'));

    const swap = (url: string, from: string, to: string) => url.replace(from, to);
    const attempts = [
      putBytes(swap(own.uploadUrl, own.asset.id, pendingVictim.asset.id), Buffer.from('evil!')),
      putBytes(
        swap(swap(own.uploadUrl, own.asset.id, pendingVictim.asset.id), tenantB, tenantA),
        Buffer.from('evil!'),
      ),
      get(swap(swap(ownRead.downloadUrl!, ownRead.id, victim.id), tenantB, tenantA)),
      get(swap(ownRead.downloadUrl!, ownRead.id, victim.id)),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(refusal(answer)).toEqual([403, 'FORBIDDEN']);
    }
    expectNoBlob(tenantA, pendingVictim.asset.id);
    expectNoBlob(tenantB, pendingVictim.asset.id);
  });

  it('reads as not found through every mutation', async () => {
    const b = clientOf(memberB, tenantB);
    const victim = await a.upload(Buffer.from('tenant A only'));
    const pending = await a.mustCreate({ sizeBytes: 1 });
    expect(codeOf(await b.complete(pending.asset.id))).toBe('NOT_FOUND');
    for (const mutation of [
      `updateAsset(id: "${victim.id}", name: "mine now")`,
      `deleteAsset(id: "${victim.id}")`,
      `restoreAsset(id: "${victim.id}")`,
    ]) {
      expect(codeOf(await b.call(`mutation { ${mutation} { id } }`))).toBe('NOT_FOUND');
    }
    expect((await b.asset(victim.id)).body.data?.asset).toBeNull();
    expect((await a.asset(victim.id)).body.data?.asset?.name).toBe('file.bin');
  });
});

describe('names and paths', () => {
  it.each([
    ['../../../../etc/passwd', '.._.._.._.._etc_passwd'],
    ['..\\..\\boot.ini', '.._.._boot.ini'],
    ['/absolute/path.txt', '_absolute_path.txt'],
    ['report\u202Efdp.exe', 'reportfdp.exe'],
  ])('stores %p under its ids only, shown as %p', async (name, shown) => {
    const before = storedFiles(storage);
    const asset = await a.upload(Buffer.from('payload'), { name, contentType: 'text/plain' });
    expect(asset.name).toBe(shown);
    const added = storedFiles(storage).filter((file) => !before.includes(file));
    expect(added).toEqual([blobPath(tenantA, asset.id)]);
    const download = await get(asset.downloadUrl!);
    expect(download.body.toString()).toBe('payload');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="${shown}"; filename*=UTF-8''${encodeURIComponent(shown)}`,
    );
  });

  it.each([
    '/blobs/../../etc/passwd',
    `/blobs/${randomUUID()}/..%2f..%2fetc%2fpasswd`,
    `/blobs/${randomUUID()}/${randomUUID()}/../x`,
    `/blobs/${randomUUID().toUpperCase()}/${randomUUID()}`,
    '/blobs/',
  ])('answers 404 for the path %p before looking anything up', async (path) => {
    for (const method of ['GET', 'PUT']) {
      const answer = await send(
        stack.url('assets'),
        { method, headers: { 'content-length': '0' }, path: `${path}?expires=1&signature=x` },
        [],
      );
      expect(refusal(answer)).toEqual([404, 'NOT_FOUND']);
    }
  });
});

describe('downloads', () => {
  it('answers 404 for a pending or deleted asset', async () => {
    const asset = await a.upload(Buffer.from('soon gone'));
    await a.call(`mutation { deleteAsset(id: "${asset.id}") { id } }`);
    expect(refusal(await get(asset.downloadUrl!))).toEqual([404, 'NOT_FOUND']);
  });
});
