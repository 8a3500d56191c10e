import { randomBytes, randomUUID } from 'node:crypto';
import { signUpMember } from '../../platform/testing/members';
import { startStack, type TestStack } from '../../platform/testing/stack';
import { AssetsClient, putBytes, sha256 } from '../../subgraphs/assets/__tests__/assets-client';

// Signed blob URLs reached through the gateway's public port (a deployment that publishes
// only the gateway): uploads and ranged downloads stream through, refusals keep their codes.

const tenantId = randomUUID();
let stack: TestStack;
let assets: AssetsClient;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'assets'] });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'blobs', 'Blobs')`,
    [tenantId],
  );
  const member = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
  assets = new AssetsClient(stack.gatewayUrl, member.headers(tenantId));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The same signed URL on the gateway's origin. */
const viaGateway = (url: string) => {
  const moved = new URL(url);
  const gateway = new URL(stack.gatewayUrl);
  moved.protocol = gateway.protocol;
  moved.host = gateway.host;
  return moved.href;
};

describe('blobs through the gateway', () => {
  it('uploads and downloads (with a range) through the gateway', async () => {
    const bytes = randomBytes(200_000);
    const created = await assets.mustCreate({ sizeBytes: bytes.length });
    const put = await putBytes(viaGateway(created.uploadUrl), bytes);
    expect(put.status).toBe(200);
    const completed = await assets.complete(created.asset.id);
    const asset = completed.body.data!.completeAssetUpload;
    expect(asset.checksumSha256).toBe(sha256(bytes));

    const whole = await fetch(viaGateway(asset.downloadUrl!));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-disposition')).toMatch(/attachment/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(viaGateway(asset.downloadUrl!), { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
  });

  it('passes the assets process refusal through: a tampered URL is still refused', async () => {
    const created = await assets.mustCreate({ sizeBytes: 10 });
    const tampered = new URL(viaGateway(created.uploadUrl));
    tampered.searchParams.set('signature', 'A'.repeat(43));
    const answer = await putBytes(tampered.href, randomBytes(10));
    expect(answer.status).toBe(403);
  });

  it('answers a path outside /blobs/ as before', async () => {
    expect((await fetch(new URL('/blobsx', stack.gatewayUrl))).status).toBe(404);
  });
});
