import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  AssetsClient,
  ASSET_FIELDS,
  blobPath,
  contentDigest,
  get,
  putBytes,
  sha256,
  storedFiles,
  type AssetView,
} from './assets-client';

// The assets subgraph end to end: real users and API keys through the gateway, real bytes to
// and from the signed URLs, the local-disk store in a folder of this test's own.

const tenantA = randomUUID();
const tenantList = randomUUID();
let stack: TestStack;
let storage: string;
let admin: TestUser;
let member: TestUser;
let otherMember: TestUser;
let viewer: TestUser;
const as = (user: TestUser, tenantId = tenantA) =>
  new AssetsClient(stack.gatewayUrl, user.headers(tenantId));

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-assets-e2e-'));
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    env: { ASSETS_STORAGE_PATH: storage, ASSETS_MAX_BYTES: String(1024 * 1024) },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'files', 'Files'), ($2, 'many', 'Many')`,
    [tenantA, tenantList],
  );
  [admin, member, otherMember, viewer] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

const eventsOf = async (assetId: string) =>
  (
    await stack.db.query<{ type: string; actor_id: string }>(
      `SELECT type, actor_id FROM events.events WHERE payload->>'assetId' = $1 ORDER BY seq`,
      [assetId],
    )
  ).map((row) => row.type);

describe('uploading and downloading', () => {
  it('round-trips real bytes: create, PUT, complete, list, download whole and by range', async () => {
    const bytes = randomBytes(300_000);
    const client = as(member);
    const created = await client.mustCreate({
      name: 'Quarterly report.pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      tags: ['reports', 'q1'],
      metadata: { quarter: 1 },
    });
    expect(created.asset).toMatchObject({ status: 'PENDING', sizeBytes: bytes.length });
    expect(Date.parse(created.expiresAt)).toBeGreaterThan(Date.now());

    const put = await putBytes(created.uploadUrl, bytes, {
      'content-digest': contentDigest(bytes),
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ checksumSha256: sha256(bytes) });
    expect(storedFiles(storage)).toContain(blobPath(tenantA, created.asset.id));

    const completed = await client.complete(created.asset.id);
    expect(completed.body.errors).toBeUndefined();
    const asset = completed.body.data!.completeAssetUpload;
    expect(asset).toMatchObject({
      status: 'READY',
      checksumSha256: sha256(bytes),
      tags: ['reports', 'q1'],
      metadata: { quarter: 1 },
      owner: { id: member.id, email: member.email },
    });

    const listed = await as(viewer).call<{ assets: { totalCount: number; nodes: AssetView[] } }>(
      `{ assets(filter: { tags: ["reports"] }) { totalCount nodes { ${ASSET_FIELDS} } } }`,
    );
    expect(listed.body.errors).toBeUndefined();
    const [node] = listed.body.data!.assets.nodes;
    expect(node).toMatchObject({ id: asset.id, status: 'READY', owner: { email: member.email } });

    const whole = await get(node!.downloadUrl!);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    expect(whole.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(bytes.length),
      'content-disposition': `attachment; filename="Quarterly report.pdf"; filename*=UTF-8''Quarterly%20report.pdf`,
      'accept-ranges': 'bytes',
      etag: `"${sha256(bytes)}"`,
      'x-content-type-options': 'nosniff',
    });

    const piece = await get(node!.downloadUrl!, { range: 'bytes=1000-1999' });
    expect(piece.status).toBe(206);
    expect(piece.headers['content-range']).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(piece.body.equals(bytes.subarray(1000, 2000))).toBe(true);
    const tail = await get(node!.downloadUrl!, { range: 'bytes=-10' });
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);

    const past = await get(node!.downloadUrl!, { range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    const head = await get(node!.downloadUrl!, {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([
      200,
      String(bytes.length),
      0,
    ]);
    const cached = await get(node!.downloadUrl!, { 'if-none-match': `"${sha256(bytes)}"` });
    expect(cached.status).toBe(304);

    expect(await eventsOf(asset.id)).toEqual(['assets.asset.created', 'assets.asset.completed']);
  });

  it('records the checksum computed while streaming when the client declared none', async () => {
    const bytes = Buffer.from('no checksum declared\n');
    const asset = await as(member).upload(bytes, { name: 'notes.txt', contentType: 'text/plain' });
    expect(asset.checksumSha256).toBe(sha256(bytes));
    expect((await get(asset.downloadUrl!)).body.toString()).toBe('no checksum declared\n');
  });

  it('completes idempotently, and refuses a second PUT of the same bytes', async () => {
    const bytes = randomBytes(64);
    const client = as(member);
    const created = await client.mustCreate({ sizeBytes: 64, checksumSha256: sha256(bytes) });
    const early = await client.complete(created.asset.id);
    expect(codeOf(early)).toBe('CONFLICT');
    expect((await putBytes(created.uploadUrl, bytes)).status).toBe(200);
    const again = await putBytes(created.uploadUrl, bytes);
    expect([again.status, again.json?.errors?.[0]?.extensions?.code]).toEqual([409, 'CONFLICT']);
    expect((await client.complete(created.asset.id)).body.data?.completeAssetUpload.status).toBe(
      'READY',
    );
    expect((await client.complete(created.asset.id)).body.data?.completeAssetUpload.status).toBe(
      'READY',
    );
    expect(await eventsOf(created.asset.id)).toEqual([
      'assets.asset.created',
      'assets.asset.completed',
    ]);
    const late = await putBytes(created.uploadUrl, bytes);
    expect(late.status).toBe(409);
  });

  it('gives no download URL for an asset that is not READY', async () => {
    const created = await as(member).mustCreate({ sizeBytes: 10 });
    const asset = await as(member).asset(created.asset.id);
    expect(asset.body.data?.asset).toMatchObject({ status: 'PENDING', downloadUrl: null });
  });
});

describe('changing assets', () => {
  const UPDATE = `mutation ($id: ID!, $name: String, $tags: [String!], $metadata: JSON) {
    updateAsset(id: $id, name: $name, tags: $tags, metadata: $metadata) { ${ASSET_FIELDS} } }`;
  const DELETE = `mutation ($id: ID!) { deleteAsset(id: $id) { ${ASSET_FIELDS} } }`;
  const RESTORE = `mutation ($id: ID!) { restoreAsset(id: $id) { ${ASSET_FIELDS} } }`;

  it('refuses uploads to a VIEWER', async () => {
    const refused = await as(viewer).createUpload({ sizeBytes: 1 });
    expect(codeOf(refused)).toBe('FORBIDDEN');
  });

  it("lets a MEMBER change their own asset, not another member's, and an ADMIN any", async () => {
    const asset = await as(member).upload(Buffer.from('mine'), {
      name: 'mine.txt',
      metadata: { draft: true },
    });
    const byOther = await as(otherMember).call(UPDATE, { id: asset.id, name: 'stolen.txt' });
    expect(codeOf(byOther)).toBe('FORBIDDEN');
    expect(codeOf(await as(otherMember).call(DELETE, { id: asset.id }))).toBe('FORBIDDEN');
    expect(codeOf(await as(viewer).call(DELETE, { id: asset.id }))).toBe('FORBIDDEN');

    const byOwner = await as(member).call<{ updateAsset: AssetView }>(UPDATE, {
      id: asset.id,
      name: 'renamed.txt',
      tags: ['x'],
    });
    expect(byOwner.body.data?.updateAsset).toMatchObject({ name: 'renamed.txt', tags: ['x'] });
    const byAdmin = await as(admin).call<{ updateAsset: AssetView }>(UPDATE, {
      id: asset.id,
      metadata: null,
    });
    expect(byAdmin.body.data?.updateAsset).toMatchObject({ name: 'renamed.txt', metadata: null });

    const deleted = await as(admin).call<{ deleteAsset: AssetView }>(DELETE, { id: asset.id });
    expect(deleted.body.data?.deleteAsset).toMatchObject({ status: 'DELETED', downloadUrl: null });
    expect((await get(asset.downloadUrl!)).status).toBe(404);
    const restored = await as(admin).call<{ restoreAsset: AssetView }>(RESTORE, { id: asset.id });
    expect(restored.body.data?.restoreAsset).toMatchObject({ status: 'READY', deletedAt: null });
    expect((await get(restored.body.data!.restoreAsset.downloadUrl!)).body.toString()).toBe('mine');

    expect(await eventsOf(asset.id)).toEqual([
      'assets.asset.created',
      'assets.asset.completed',
      'assets.asset.updated',
      'assets.asset.updated',
      'assets.asset.deleted',
      'assets.asset.restored',
    ]);
  });

  it('restores a deleted upload that never completed to PENDING', async () => {
    const created = await as(member).mustCreate({ sizeBytes: 3 });
    await as(member).call(DELETE, { id: created.asset.id });
    expect((await putBytes(created.uploadUrl, Buffer.from('abc'))).status).toBe(409);
    const restored = await as(member).call<{ restoreAsset: AssetView }>(RESTORE, {
      id: created.asset.id,
    });
    expect(restored.body.data?.restoreAsset.status).toBe('PENDING');
  });
});

describe('listing and search', () => {
  const tenantSearch = randomUUID();
  let owner: TestUser;
  let second: TestUser;

  beforeAll(async () => {
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'search', 'S')`,
      [tenantSearch],
    );
    owner = await signUpMember(stack.gatewayUrl, stack.db, tenantSearch, 'MEMBER');
    second = await signUpMember(stack.gatewayUrl, stack.db, tenantSearch, 'MEMBER');
    const files: [TestUser, string, string, string[]][] = [
      [owner, 'Invoice 2026-01.pdf', 'application/pdf', ['invoices']],
      [owner, 'invoice 2026-02.pdf', 'application/pdf', ['invoices', 'paid']],
      [second, 'Holiday photo.jpg', 'image/jpeg', ['photos']],
      [second, '50%_off_invoice.png', 'image/png', []],
    ];
    for (const [user, name, contentType, tags] of files) {
      await as(user, tenantSearch).mustCreate({ name, contentType, sizeBytes: 1, tags });
    }
  });

  const search = async (filter: string, user = () => owner) => {
    const response = await as(user(), tenantSearch).call<{
      assets: { totalCount: number; nodes: { name: string }[] };
    }>(`{ assets(filter: ${filter}, orderBy: NAME_ASC) { totalCount nodes { name } } }`);
    expect(response.body.errors).toBeUndefined();
    const { totalCount, nodes } = response.body.data!.assets;
    return { totalCount, names: nodes.map((node) => node.name) };
  };

  it.each([
    [
      '{ search: "invoice" }',
      ['50%_off_invoice.png', 'Invoice 2026-01.pdf', 'invoice 2026-02.pdf'],
    ],
    ['{ search: "50%" }', ['50%_off_invoice.png']],
    ['{ search: "_off" }', ['50%_off_invoice.png']],
    ['{ tags: ["invoices", "paid"] }', ['invoice 2026-02.pdf']],
    ['{ contentType: "IMAGE/JPEG" }', ['Holiday photo.jpg']],
    [
      '{ search: "invoice", contentType: "application/pdf" }',
      ['Invoice 2026-01.pdf', 'invoice 2026-02.pdf'],
    ],
    ['{ createdAfter: "2000-01-01T00:00:00Z", createdBefore: "2000-01-02T00:00:00Z" }', []],
  ])('filters by %s with a totalCount', async (filter, names) => {
    expect(await search(filter)).toEqual({ totalCount: names.length, names });
  });

  it('filters by owner, and lists what a user owns through User.assets', async () => {
    expect((await search(`{ ownerId: "${second.id}" }`)).names).toEqual([
      '50%_off_invoice.png',
      'Holiday photo.jpg',
    ]);
    const response = await as(owner, tenantSearch).call<{
      assets: { nodes: { owner: { id: string; assets: { totalCount: number } } }[] };
    }>(`{ assets(first: 1, filter: { ownerId: "${owner.id}" }) {
          nodes { owner { id assets(orderBy: NAME_ASC) { totalCount nodes { name } } } } } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.assets.nodes[0]!.owner).toEqual({
      id: owner.id,
      assets: {
        totalCount: 2,
        nodes: [{ name: 'Invoice 2026-01.pdf' }, { name: 'invoice 2026-02.pdf' }],
      },
    });
  });

  it('hides deleted assets unless asked for them', async () => {
    const created = await as(owner, tenantSearch).mustCreate({
      name: 'temporary.txt',
      sizeBytes: 1,
    });
    await as(owner, tenantSearch).call(
      `mutation { deleteAsset(id: "${created.asset.id}") { id } }`,
    );
    expect((await search('{ search: "temporary" }')).names).toEqual([]);
    expect((await search('{ search: "temporary", includeDeleted: true }')).names).toEqual([
      'temporary.txt',
    ]);
  });
});

describe('API keys', () => {
  const createKey = async (scopes: string[]) => {
    const response = await postGraphQL<{ createApiKey: { secret: string } }>(
      stack.gatewayUrl,
      {
        query: `mutation ($scopes: [String!]!) { createApiKey(name: "files", scopes: $scopes) { secret } }`,
        variables: { scopes },
      },
      admin.headers(tenantA),
    );
    if (!response.body.data) throw new Error(`createApiKey failed: ${response.text}`);
    return response.body.data.createApiKey.secret;
  };

  it("uploads with assets:write, owned by the key's creator, and reads with assets:read", async () => {
    const writer = new AssetsClient(stack.gatewayUrl, {
      'x-api-key': await createKey(['assets:read', 'assets:write']),
      'x-tenant-id': tenantA,
    });
    const bytes = randomBytes(1000);
    const asset = await writer.upload(bytes, { name: 'from-ci.bin' });
    expect(asset).toMatchObject({ status: 'READY', owner: { id: admin.id } });

    const reader = new AssetsClient(stack.gatewayUrl, {
      'x-api-key': await createKey(['assets:read']),
      'x-tenant-id': tenantA,
    });
    const read = await reader.asset(asset.id);
    expect(read.body.data?.asset?.name).toBe('from-ci.bin');
    expect((await get(read.body.data!.asset!.downloadUrl!)).body.equals(bytes)).toBe(true);
    expect(codeOf(await reader.createUpload({ sizeBytes: 1 }))).toBe('FORBIDDEN');
    expect(codeOf(await reader.call(`mutation { deleteAsset(id: "${asset.id}") { id } }`))).toBe(
      'FORBIDDEN',
    );
  });
});

interface ListPage {
  totalCount: number;
  nodes: { id: string; downloadUrl: string; owner: { email: string } }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

describe('listing cost', () => {
  it('lists 1 000 assets with their owners in a constant number of SQL queries per page', async () => {
    const lister = await signUpMember(stack.gatewayUrl, stack.db, tenantList, 'VIEWER');
    const owners = Array.from({ length: 50 }, () => randomUUID());
    await stack.db.query(
      `INSERT INTO auth.users (id, email) SELECT id, 'many-' || n || '@example.com'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`,
      [owners],
    );
    await stack.db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id, status,
                                  checksum_sha256, completed_at)
       SELECT $1, 'file-' || n || '.txt', 'text/plain', n, ($2::uuid[])[1 + n % 50], 'READY',
              repeat('a', 64), now()
         FROM generate_series(1, 1000) AS n`,
      [tenantList, owners],
    );
    const queries = async () => ({
      assets: metricValue(await scrape(stack.url('assets')), 'tessera_db_queries_total', {
        outcome: 'ok',
      }),
      auth: metricValue(await scrape(stack.url('auth')), 'tessera_db_queries_total', {
        outcome: 'ok',
      }),
    });
    const perPage: { assets: number; auth: number }[] = [];
    const seen = new Set<string>();
    let after: string | null = null;
    // Auth also runs periodic statements of its own (revocation re-announce, signing keys):
    // a page that happens to overlap one is measured again, and the smaller count kept.
    const measure = async (cursor: string | null) => {
      const before = await queries();
      const response: GraphQLResponse<{ assets: ListPage }> = await postGraphQL(
        stack.gatewayUrl,
        {
          query: `query ($after: Cursor) { assets(first: 100, after: $after) { totalCount
            nodes { id name downloadUrl owner { email } } pageInfo { endCursor hasNextPage } } }`,
          variables: { after: cursor },
        },
        lister.headers(tenantList),
      );
      const counted = await queries();
      return {
        response,
        cost: { assets: counted.assets - before.assets, auth: counted.auth - before.auth },
      };
    };
    do {
      const first = await measure(after);
      const { response } = first;
      let cost = first.cost;
      if (cost.auth !== 1) {
        const again = (await measure(after)).cost;
        cost = {
          assets: Math.min(cost.assets, again.assets),
          auth: Math.min(cost.auth, again.auth),
        };
      }
      expect(response.body.errors).toBeUndefined();
      const page: ListPage = response.body.data!.assets;
      expect(page.totalCount).toBe(1000);
      for (const node of page.nodes) {
        expect(node.owner.email).toMatch(/^many-\d+@example\.com$/);
        expect(node.downloadUrl).toContain(`/blobs/${tenantList}/${node.id}?`);
        seen.add(node.id);
      }
      perPage.push(cost);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);

    expect(seen.size).toBe(1000);
    expect(perPage).toHaveLength(10);
    // One batched owner lookup per page, and the same handful of assets statements per page.
    expect(perPage.every((page) => page.auth === 1)).toBe(true);
    expect(new Set(perPage.map((page) => page.assets)).size).toBe(1);
    expect(perPage[0]!.assets).toBeLessThanOrEqual(8);
  }, 120_000);
});
