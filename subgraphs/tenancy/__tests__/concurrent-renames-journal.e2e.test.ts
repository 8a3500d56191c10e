import { randomUUID } from 'node:crypto';
import { postGraphQL } from '../../../testing/graphql-client';
import { auditJournal } from '../../../testing/journal-audit';
import { addMember, signUpUser, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';

// Many users renaming their tenants at once through the gateway: every rename that succeeded
// is journaled exactly once, each tenant's seq runs 1, 2, … with no gap, and refused renames
// (another tenant's, a malformed name, no credentials) journal nothing.

const TENANTS = 3;
const USERS_PER_TENANT = 3;
const RENAMES_PER_USER = 8;
const RENAME = `mutation ($name: String) { updateTenant(name: $name) { id name } }`;
const RENAMED = 'tenancy.tenant.updated';

let stack: TestStack;
const tenants = Array.from({ length: TENANTS }, () => randomUUID());
const writers: { user: TestUser; tenantId: string }[] = [];

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: { GATEWAY_RATE_LIMIT_PER_USER: '100000', GATEWAY_RATE_LIMIT_PER_IP: '100000' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     SELECT id, 'renames-' || n, 'Renames ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [tenants],
  );
  for (const tenantId of tenants) {
    for (let index = 0; index < USERS_PER_TENANT; index += 1) {
      const user = await signUpUser(stack.gatewayUrl, 'renamer');
      await addMember(stack.db, tenantId, user.id, 'ADMIN');
      writers.push({ user, tenantId });
    }
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const rename = (headers: Record<string, string>, name: unknown) =>
  postGraphQL<{ updateTenant: { id: string; name: string } }>(
    stack.gatewayUrl,
    { query: RENAME, variables: { name } },
    headers,
  );

it('journals every concurrent rename exactly once, with a gap-free seq per tenant', async () => {
  const answers = await Promise.all(
    writers.map(async ({ user, tenantId }) => {
      let renamed = 0;
      for (let turn = 0; turn < RENAMES_PER_USER; turn += 1) {
        const answer = await rename(user.headers(tenantId), `Name ${randomUUID().slice(0, 8)}`);
        expect(answer.body.errors).toBeUndefined();
        if (answer.body.data?.updateTenant.id === tenantId) renamed += 1;
      }
      return renamed;
    }),
  );
  const renamed = answers.reduce((sum, count) => sum + count, 0);
  expect(renamed).toBe(writers.length * RENAMES_PER_USER);
  expect(await auditJournal(stack.db, tenants, { [RENAMED]: renamed })).toEqual([]);
});

it('journals each racing rename with the name it replaced, so the names chain in seq order', async () => {
  const events = await stack.db.query<{ tenant_id: string; name: string; previous: string }>(
    `SELECT tenant_id, payload->>'name' AS name, payload->>'previousName' AS previous
       FROM events.events WHERE tenant_id = ANY($1::uuid[]) AND type = $2
      ORDER BY tenant_id, seq`,
    [tenants, RENAMED],
  );
  const stored = await stack.db.query<{ id: string; name: string }>(
    `SELECT id, name FROM tenancy.tenants WHERE id = ANY($1::uuid[])`,
    [tenants],
  );
  const broken: string[] = [];
  tenants.forEach((tenantId, index) => {
    let expected = `Renames ${index + 1}`;
    for (const event of events.filter((row) => row.tenant_id === tenantId)) {
      if (event.previous !== expected) broken.push(`${tenantId}: ${event.previous} ≠ ${expected}`);
      expected = event.name;
    }
    expect(stored.find((row) => row.id === tenantId)?.name).toBe(expected);
  });
  expect(broken).toEqual([]);
  expect(events).toHaveLength(writers.length * RENAMES_PER_USER);
});

it('journals nothing for renames it refuses', async () => {
  const before = await auditJournal(stack.db, tenants, {});
  const [first] = writers;
  const outsider = await signUpUser(stack.gatewayUrl, 'outsider');
  const refused = await Promise.all([
    rename(outsider.headers(first!.tenantId), 'Taken over'),
    rename(first!.user.headers(first!.tenantId), 'x'.repeat(10_000)),
    rename({ 'x-tenant-id': first!.tenantId }, 'Anonymous'),
    rename(
      { ...first!.user.headers(first!.tenantId), authorization: 'Bearer expired.or.forged' },
      'Forged',
    ),
  ]);
  expect(refused.map((answer) => answer.body.errors?.[0]?.extensions?.code)).toEqual([
    'FORBIDDEN',
    'BAD_USER_INPUT',
    'UNAUTHENTICATED',
    'UNAUTHENTICATED',
  ]);
  const [journal] = await stack.db.query<{ events: string }>(
    `SELECT count(*)::text AS events FROM events.events WHERE tenant_id = ANY($1::uuid[])`,
    [tenants],
  );
  expect(Number(journal!.events)).toBe(writers.length * RENAMES_PER_USER);
  expect(before).toEqual([]);
});

it('the audit names a skipped seq, a doubled event and a lost one', async () => {
  const [tenantId] = tenants;
  const [moved] = await stack.db.query<{ counter: string }>(
    `UPDATE events.sequences SET last_seq = last_seq + 2 WHERE scope = $1 RETURNING last_seq::text AS counter`,
    [tenantId],
  );
  const counter = moved!.counter;
  // One event past a skipped seq: a gap, and one event more than the renames that succeeded.
  await stack.db.query(
    `INSERT INTO events.events (tenant_id, seq, type, payload) VALUES ($1, $2, $3, '{}')`,
    [tenantId, counter, RENAMED],
  );
  const problems = await auditJournal(stack.db, tenants, {
    [RENAMED]: writers.length * RENAMES_PER_USER,
    'tenancy.tenant.deleted': 1,
  });
  expect(problems).toEqual([
    expect.stringMatching(
      new RegExp(`^tenant ${tenantId}: \\d+ events hold seqs 1\\.\\.${counter}$`),
    ),
    `${RENAMED}: ${writers.length * RENAMES_PER_USER} writes succeeded, ${writers.length * RENAMES_PER_USER + 1} journaled`,
    'tenancy.tenant.deleted: 1 writes succeeded, 0 journaled',
  ]);
});
