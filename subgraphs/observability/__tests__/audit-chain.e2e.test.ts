import { randomUUID } from 'node:crypto';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { auditTrailCaughtUp, gqlClient } from './observability-client';
import { codeOf, dataOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';

// The audit trail as platform administrators and attackers meet it through the real gateway:
// chain verification, NDJSON exports through signed URLs, tampering, a tenant purging its own
// journal, and tenant admins trying to reach any of it.

let stack: TestStack;
const tenant = randomUUID();
let owner: TestUser;
let platformAdmin: TestUser;
const gql = gqlClient(() => stack.gatewayUrl);

const VERIFY = `query ($tenantId: ID) { verifyAuditChain(tenantId: $tenantId) {
  ok checkedRows brokenPosition brokenEventId anchorPosition } }`;
const EXPORT = `query ($from: DateTime!, $to: DateTime!, $tenantId: ID) {
  auditExport(from: $from, to: $to, tenantId: $tenantId) { url expiresAt } }`;
const AUDIT = `{ auditLog(first: 100) { nodes { id action } } }`;

interface Verification {
  ok: boolean;
  checkedRows: number;
  brokenPosition: string | null;
  brokenEventId: string | null;
}

const verify = async (tenantId: string | null) =>
  dataOf(
    await gql<{ verifyAuditChain: Verification }>(VERIFY, platformAdmin.headers(), { tenantId }),
  ).verifyAuditChain;
const gatewayOrigin = () => new URL(stack.gatewayUrl).origin;
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

async function exportUrl(tenantId: string | null): Promise<string> {
  const answer = dataOf(
    await gql<{ auditExport: { url: string } }>(EXPORT, platformAdmin.headers(), {
      from: hourAgo(),
      to: inAMinute(),
      tenantId,
    }),
  );
  return new URL(answer.auditExport.url, gatewayOrigin()).toString();
}

async function revokeAKey() {
  const created = dataOf(
    await gql<{ createApiKey: { apiKey: { id: string } } }>(
      `mutation { createApiKey(name: "k", scopes: ["assets:read"]) { apiKey { id } } }`,
      owner.headers(tenant),
    ),
  ).createApiKey;
  dataOf(
    await gql(`mutation ($id: ID!) { revokeApiKey(id: $id) }`, owner.headers(tenant), {
      id: created.apiKey.id,
    }),
  );
}

beforeAll(async () => {
  stack = await startStack({ worker: true, env: { AUDIT_RECORD_INTERVAL_MS: '100' } });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'chained', 'C')`, [
    tenant,
  ]);
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER');
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  await revokeAKey();
  await revokeAKey();
  await auditTrailCaughtUp(stack.db);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('verifyAuditChain', () => {
  it("verifies a tenant's chain and the platform's", async () => {
    expect(await verify(tenant)).toEqual({
      ok: true,
      checkedRows: 4,
      brokenPosition: null,
      brokenEventId: null,
      anchorPosition: null,
    });
    expect((await verify(null)).ok).toBe(true);
  });

  it('refuses tenant owners and API keys, with or without a tenant, and bad ids', async () => {
    for (const headers of [owner.headers(tenant), owner.headers(), {}]) {
      expect(codeOf(await gql(VERIFY, headers, { tenantId: tenant }))).toMatch(
        /FORBIDDEN|UNAUTHENTICATED/,
      );
    }
    expect(codeOf(await gql(VERIFY, platformAdmin.headers(), { tenantId: 'nope' }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('auditExport', () => {
  it('streams the chain in the range as NDJSON through the gateway', async () => {
    const response = await fetch(await exportUrl(tenant));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditLine);
    expect(lines.map((line) => line.position)).toEqual(['1', '2', '3', '4']);
    expect(lines.map((line) => line.action)).toEqual([
      'auth.api_key.created',
      'auth.api_key.revoked',
      'auth.api_key.created',
      'auth.api_key.revoked',
    ]);
    expect(lines[1]?.prevHash).toBe(lines[0]?.hash);
    expect(lines.every((line) => line.tenantId === tenant)).toBe(true);
  });

  it('refuses other roles, ranges over the limit, and URLs changed or made up', async () => {
    const range = { from: hourAgo(), to: inAMinute(), tenantId: tenant };
    expect(codeOf(await gql(EXPORT, owner.headers(tenant), range))).toBe('FORBIDDEN');
    expect(codeOf(await gql(EXPORT, owner.headers(), range))).toBe('FORBIDDEN');
    const longRange = { ...range, from: new Date(Date.now() - 40 * 86_400_000).toISOString() };
    const tooLong = await gql(EXPORT, platformAdmin.headers(), longRange);
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.body.errors?.[0]?.message).toMatch(/at most 31 days/);
    const backwards = { ...range, from: range.to, to: range.from };
    expect(codeOf(await gql(EXPORT, platformAdmin.headers(), backwards))).toBe('BAD_USER_INPUT');

    const url = new URL(await exportUrl(tenant));
    const otherChain = new URL(url);
    otherChain.pathname = `/audit-exports/${randomUUID()}`;
    const widened = new URL(url);
    widened.searchParams.set('from', '0');
    const unsigned = new URL(url);
    unsigned.searchParams.delete('signature');
    for (const forged of [otherChain, widened, unsigned]) {
      const response = await fetch(forged);
      expect([forged.toString(), response.status]).toEqual([forged.toString(), 403]);
    }
    const traversal = await fetch(`${gatewayOrigin()}/audit-exports/..%2fmetrics`);
    expect(traversal.status).toBe(404);
  });
});

describe('attacks on the trail', () => {
  it('shows a row tampered with as superuser, at that row', async () => {
    const victim = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'tampered', 'T')`,
      [victim],
    );
    const victimOwner = await signUpMember(stack.gatewayUrl, stack.db, victim, 'OWNER');
    for (let index = 0; index < 2; index += 1) {
      dataOf(
        await gql(
          `mutation { createApiKey(name: "k", scopes: ["assets:read"]) { secret } }`,
          victimOwner.headers(victim),
        ),
      );
    }
    await auditTrailCaughtUp(stack.db);
    expect((await verify(victim)).ok).toBe(true);
    await stack.db.query(`
      BEGIN;
      SET LOCAL session_replication_role = replica;
      UPDATE observability.audit_entries SET actor_id = gen_random_uuid()
       WHERE scope = '${victim}' AND position = 2;
      COMMIT;`);
    expect(await verify(victim)).toMatchObject({ ok: false, checkedRows: 1, brokenPosition: '2' });
  });

  it("keeps the trail when the tenant's admin purges the tenant's journal", async () => {
    const before = dataOf(
      await gql<{ auditLog: { nodes: { id: string }[] } }>(AUDIT, owner.headers(tenant)),
    ).auditLog.nodes;
    expect(before).toHaveLength(4);
    // The tenant's shortest journal retention, and events old enough for it.
    dataOf(
      await gql(
        `mutation { updateTenantSettings(input: { retentionDays: { events: 1 } }) { id } }`,
        owner.headers(tenant),
      ),
    );
    await auditTrailCaughtUp(stack.db);
    await stack.db.query(
      `UPDATE events.events SET occurred_at = now() - interval '3 days', published_at = now()
        WHERE tenant_id = $1`,
      [tenant],
    );
    const run = dataOf(
      await gql<{ runPurge: { id: string } }>(
        `mutation { runPurge(target: "events") { id } }`,
        platformAdmin.headers(),
      ),
    ).runPurge;
    await eventually(async () => {
      const [row] = await stack.db.query<{ finished: boolean }>(
        `SELECT finished_at IS NOT NULL AS finished FROM jobs.purge_runs WHERE id = $1`,
        [run.id],
      );
      return row?.finished;
    }, 60_000);
    const [journal] = await stack.db.query<{ left: number }>(
      `SELECT count(*)::int AS left FROM events.events WHERE tenant_id = $1`,
      [tenant],
    );
    expect(journal!.left).toBe(0);
    const after = dataOf(
      await gql<{ auditLog: { nodes: { id: string }[] } }>(AUDIT, owner.headers(tenant)),
    ).auditLog.nodes;
    expect(after.map((entry) => entry.id)).toEqual(
      expect.arrayContaining(before.map((entry) => entry.id)),
    );
    expect((await verify(tenant)).ok).toBe(true);
  }, 90_000);

  it('offers tenant admins no way to change or remove audit entries through GraphQL', async () => {
    for (const mutation of [
      `mutation { deleteAuditEntry(id: "x") }`,
      `mutation { purgeAuditLog }`,
      `mutation { runPurge(target: "audit") { id } }`,
    ]) {
      const code = codeOf(await gql(mutation, owner.headers(tenant)));
      expect([mutation, code]).toEqual([
        mutation,
        expect.stringMatching(/GRAPHQL_VALIDATION_FAILED|FORBIDDEN|BAD_USER_INPUT/),
      ]);
    }
    expect((await verify(tenant)).ok).toBe(true);
  });
});

/** One line of the audit export, as far as these tests read it. */
interface AuditLine {
  position: string;
  action: string;
  tenantId: string;
  hash: string;
  prevHash: string | null;
}
