import { randomBytes, randomUUID } from 'node:crypto';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startLocalS3, type LocalS3 } from '../../../testing/local-s3';
import { startStack, type TestStack } from '../../../testing/stack';
import { AssetsClient, get, httpCodeOf, putBytes, putChunked, sha256 } from './assets-client';

// The same upload path with ASSETS_STORAGE=s3: the assets process signs its calls to an
// S3-compatible store (s3rver, a real one that checks every signature) and streams through it.

const tenantId = randomUUID();
let s3: LocalS3;
let stack: TestStack;
let member: TestUser;
let client: AssetsClient;

beforeAll(async () => {
  s3 = await startLocalS3();
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    env: {
      ASSETS_STORAGE: 's3',
      ASSETS_S3_ENDPOINT: s3.endpoint,
      ASSETS_S3_BUCKET: s3.bucket,
      ASSETS_S3_REGION: s3.region,
      ASSETS_S3_ACCESS_KEY_ID: s3.accessKeyId,
      ASSETS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
  });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'bucket', 'B')`, [
    tenantId,
  ]);
  member = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
  client = new AssetsClient(stack.gatewayUrl, member.headers(tenantId));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await s3?.close();
});

it('is ready only once the bucket answers', async () => {
  const ready = await fetch(`${stack.url('assets')}/readyz`);
  const body = (await ready.json()) as { checks: { name: string; status: string }[] };
  expect(body.checks).toContainEqual(expect.objectContaining({ name: 'blob-store', status: 'ok' }));
});

it('round-trips real bytes through the S3 store, ranges included', async () => {
  const bytes = randomBytes(200_000);
  const asset = await client.upload(bytes, { name: 'photo.jpg', contentType: 'image/jpeg' });
  expect(asset).toMatchObject({ status: 'READY', checksumSha256: sha256(bytes) });
  expect((await s3.objectBytes(`${tenantId}/${asset.id}`))?.equals(bytes)).toBe(true);
  expect((await get(asset.downloadUrl!)).body.equals(bytes)).toBe(true);
  const piece = await get(asset.downloadUrl!, { range: 'bytes=5-14' });
  expect([piece.status, piece.body.equals(bytes.subarray(5, 15))]).toEqual([206, true]);
});

it('keeps no object when the body is longer or shorter than declared', async () => {
  const long = await client.mustCreate({ sizeBytes: 1000 });
  const tooLong = await putChunked(long.uploadUrl, [randomBytes(1000), randomBytes(10)]);
  expect([tooLong.status, httpCodeOf(tooLong)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  const short = await client.mustCreate({ sizeBytes: 1000 });
  expect(httpCodeOf(await putChunked(short.uploadUrl, [randomBytes(999)]))).toBe('BAD_USER_INPUT');
  // The last chunk is held back until the body checks out, so the store never got all of it.
  expect(await s3.objectBytes(`${tenantId}/${long.asset.id}`)).toBeNull();
  expect(await s3.objectBytes(`${tenantId}/${short.asset.id}`)).toBeNull();
  // And the right bytes still go through afterwards.
  expect((await putBytes(short.uploadUrl, randomBytes(1000))).status).toBe(200);
});

it('refuses a second PUT: the store will not replace an object', async () => {
  const created = await client.mustCreate({ sizeBytes: 4 });
  expect((await putBytes(created.uploadUrl, Buffer.from('once'))).status).toBe(200);
  const again = await putBytes(created.uploadUrl, Buffer.from('twic'));
  expect([again.status, httpCodeOf(again)]).toEqual([409, 'CONFLICT']);
  expect((await s3.objectBytes(`${tenantId}/${created.asset.id}`))?.toString()).toBe('once');
});

it('answers SERVICE_UNAVAILABLE while the store is gone, and loses nothing', async () => {
  const kept = randomBytes(2_000);
  const stored = await client.upload(kept, { name: 'kept.bin', contentType: 'image/jpeg' });
  const pending = await client.mustCreate({ sizeBytes: 1_000 });

  await s3.stop();
  try {
    const upload = await putBytes(pending.uploadUrl, randomBytes(1_000));
    expect([upload.status, httpCodeOf(upload)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(upload.json)).not.toMatch(/S3RVER|127\.0\.0\.1|ECONNREFUSED/);
    const download = await get(stored.downloadUrl!);
    expect([download.status, httpCodeOf(download)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    const ready = await fetch(`${stack.url('assets')}/readyz`);
    expect(ready.status).toBe(503);
  } finally {
    await s3.start();
  }

  expect((await get(stored.downloadUrl!)).body.equals(kept)).toBe(true);
  expect(await s3.objectBytes(`${tenantId}/${pending.asset.id}`)).toBeNull();
  const again = randomBytes(1_000);
  expect((await putBytes(pending.uploadUrl, again)).status).toBe(200);
  expect((await s3.objectBytes(`${tenantId}/${pending.asset.id}`))?.equals(again)).toBe(true);
});
