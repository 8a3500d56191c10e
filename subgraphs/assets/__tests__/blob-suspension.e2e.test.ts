import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../testing/eventually';
import { postGraphQL } from '../../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  AssetsClient,
  blobPath,
  get,
  httpCodeOf,
  putBytes,
  storedFiles,
  type HttpAnswer,
} from './assets-client';

// Signed blob URLs of a tenant that was suspended (or deleted) after they were signed: the
// real assets process refuses them with a coded error before reading the asset or the body,
// learns the change from tenancy's announcement, and serves them again once reinstated.

const tenant = randomUUID();
const doomed = randomUUID();
let stack: TestStack;
let storage: string;
let member: TestUser;
let doomedOwner: TestUser;
let admin: TestUser;

const SET_STATUS = `mutation ($id: ID!, $status: TenantStatus!) {
  adminSetTenantStatus(tenantId: $id, status: $status) { status } }`;

async function setStatus(status: 'ACTIVE' | 'SUSPENDED') {
  const answer = await postGraphQL(
    stack.gatewayUrl,
    { query: SET_STATUS, variables: { id: tenant, status } },
    admin.headers(),
  );
  expect(answer.body).toEqual({ data: { adminSetTenantStatus: { status } } });
}

/** Waits (on tenancy's announcement reaching assets) until `url` answers with `status`. */
function answered(url: string, status: number): Promise<HttpAnswer> {
  return eventually(async () => {
    const answer = await get(url);
    return answer.status === status ? answer : undefined;
  });
}

/** Sends the headers of a `size`-byte PUT and one KiB of it, then waits for an answer. */
function putUnfinished(url: string, size: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'PUT',
        headers: { 'content-length': String(size) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: JSON.parse(body.toString('utf8')) as HttpAnswer['json'],
          });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.write(Buffer.alloc(1024));
  });
}

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-blob-suspension-'));
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    env: { ASSETS_STORAGE_PATH: storage },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'paused', 'P'), ($2, 'doomed', 'D')`,
    [tenant, doomed],
  );
  [member, doomedOwner, admin] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, doomed, 'OWNER'),
    signUpPlatformAdmin(stack.gatewayUrl, stack.db),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

describe('blob URLs of a suspended tenant', () => {
  it('are refused with 403 TENANT_SUSPENDED, reading no byte, and work again once reinstated', async () => {
    const client = new AssetsClient(stack.gatewayUrl, member.headers(tenant));
    const bytes = randomBytes(50_000);
    const ready = await client.upload(bytes, { name: 'kept.bin' });
    const downloadUrl = ready.downloadUrl!;
    const later = randomBytes(20_000);
    const pending = await client.mustCreate({ name: 'later.bin', sizeBytes: later.length });
    // Served, so the assets process has the tenant's status cached as ACTIVE.
    expect((await get(downloadUrl)).status).toBe(200);

    await setStatus('SUSPENDED');
    const refused = await answered(downloadUrl, 403);
    expect(httpCodeOf(refused)).toBe('TENANT_SUSPENDED');
    expect(refused.body.includes(bytes.subarray(0, 64))).toBe(false);
    const head = await get(downloadUrl, {}, 'HEAD');
    expect(head.status).toBe(403);
    expect(head.body.length).toBe(0);

    const upload = await putBytes(pending.uploadUrl, later);
    expect([upload.status, httpCodeOf(upload)]).toEqual([403, 'TENANT_SUSPENDED']);
    // Answered before the body ends: nothing of it was read.
    const unfinished = await putUnfinished(pending.uploadUrl, later.length);
    expect([unfinished.status, httpCodeOf(unfinished)]).toEqual([403, 'TENANT_SUSPENDED']);
    expect(unfinished.headers.connection).toBe('close');
    expect(storedFiles(storage)).not.toContain(blobPath(tenant, pending.asset.id));

    // A forged URL is still just invalid: the signature is checked first.
    const forged = downloadUrl.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`);
    expect(httpCodeOf(await get(forged))).toBe('FORBIDDEN');

    await setStatus('ACTIVE');
    const served = await answered(downloadUrl, 200);
    expect(served.body.equals(bytes)).toBe(true);
    expect((await putBytes(pending.uploadUrl, later)).status).toBe(200);
    expect(storedFiles(storage)).toContain(blobPath(tenant, pending.asset.id));
    const completed = await client.complete(pending.asset.id);
    expect(completed.body.data?.completeAssetUpload.status).toBe('READY');
  });

  it("refuses a deleted tenant's URLs with FORBIDDEN", async () => {
    const client = new AssetsClient(stack.gatewayUrl, doomedOwner.headers(doomed));
    const asset = await client.upload(randomBytes(1_000));
    expect((await get(asset.downloadUrl!)).status).toBe(200);
    const deleted = await client.call(`mutation { deleteTenant(confirmSlug: "doomed") }`);
    expect(deleted.body).toEqual({ data: { deleteTenant: true } });
    expect(httpCodeOf(await answered(asset.downloadUrl!, 403))).toBe('FORBIDDEN');
  });
});
