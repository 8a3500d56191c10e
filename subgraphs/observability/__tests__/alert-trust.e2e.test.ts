import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { JobName } from '../../../platform/contracts/jobs/queue-names';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { readOutbox } from '../../../testing/outbox';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  ALWAYS_HOLDS,
  FAST_ALERTING,
  gqlClient,
  openAlertsQueue,
  ruleInput,
} from './observability-client';
import { codeOf, dataOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';

// What one tenant's alert rules may reach, attacked through the real processes (gateway,
// observability, worker evaluating every second): whom their mail goes to, whose figures they
// read, and whether they run while their tenant is suspended.

let stack: TestStack;
let alerts: ReturnType<typeof openAlertsQueue>;
let alertsQueue: Queue;
const tenant = randomUUID();
const neighbour = randomUUID();
const frozen = randomUUID();
let owner: TestUser;
let member: TestUser;
let leaver: TestUser;
let unverified: TestUser;
let outsider: TestUser;
let frozenOwner: TestUser;
let admin: TestUser;
const NOC = 'noc@platform.example';
const gql = gqlClient(() => stack.gatewayUrl);

const CREATE = `mutation ($input: AlertRuleInput!) { createAlertRule(input: $input) { id channels } }`;
const UPDATE = `mutation ($id: ID!, $input: AlertRuleInput!) {
  updateAlertRule(id: $id, input: $input) { id channels } }`;

async function createRule(as: TestUser, tenantId: string, overrides: Record<string, unknown>) {
  const response = await gql<{ createAlertRule: { id: string } }>(CREATE, as.headers(tenantId), {
    input: ruleInput('trust', overrides),
  });
  return dataOf(response).createAlertRule.id;
}

async function alertsOfRule(ruleId: string) {
  return stack.db.query<{ id: string; resolved_at: Date | null; value: number | null }>(
    `SELECT id, resolved_at, value FROM observability.alerts WHERE rule_id = $1`,
    [ruleId],
  );
}

async function eventsOf(tenantId: string, type: string) {
  return stack.db.query<{ rule: string }>(
    `SELECT payload->>'ruleId' AS rule FROM events.events WHERE tenant_id = $1 AND type = $2`,
    [tenantId, type],
  );
}

/** Resolves once `count` whole evaluation rounds have run after this call. */
async function roundsPass(count: number): Promise<void> {
  const since = Date.now();
  await eventually(async () => {
    const jobs = await alertsQueue.getJobs(['completed'], 0, 200);
    const done = jobs.filter(
      (job) => job.name === JobName.EVALUATE_ALERTS && (job.processedOn ?? 0) > since,
    );
    return done.length >= count;
  }, 60_000);
}

async function setStatus(tenantId: string, status: 'ACTIVE' | 'SUSPENDED') {
  const response = await gql(
    `mutation ($id: ID!, $status: TenantStatus!) {
       adminSetTenantStatus(tenantId: $id, status: $status) { status } }`,
    admin.headers(),
    { id: tenantId, status },
  );
  expect(dataOf(response)).toEqual({ adminSetTenantStatus: { status } });
}

beforeAll(async () => {
  stack = await startStack({
    worker: true,
    env: {
      ...FAST_ALERTING,
      ALERT_EMAIL_ALLOWED_RECIPIENTS: NOC,
    },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES
       ($1, 'trusting', 'T'), ($2, 'neighbour', 'N'), ($3, 'frozen', 'F')`,
    [tenant, neighbour, frozen],
  );
  [owner, member, leaver, unverified, outsider, frozenOwner, admin] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, neighbour, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, frozen, 'OWNER'),
    signUpPlatformAdmin(stack.gatewayUrl, stack.db),
  ]);
  await stack.db.query(`UPDATE auth.users SET email_verified = true WHERE id = ANY($1)`, [
    [owner, member, leaver, outsider, frozenOwner].map((user) => user.id),
  ]);
  alerts = openAlertsQueue(stack.redisPrefix);
  alertsQueue = alerts.queue;
}, 120_000);

afterAll(async () => {
  await alerts?.close();
  await stack?.stop();
});

describe('email channels of tenant rules', () => {
  it.each([
    ['an address outside the platform', () => 'attacker@evil.example'],
    ["another tenant's verified member", () => outsider.email],
    ['a member whose email is not verified', () => unverified.email],
  ])('refuse %s with FORBIDDEN, on create and on update', async (_what, address) => {
    const channels = ['log', `email:${address()}`];
    const created = await gql(CREATE, owner.headers(tenant), {
      input: ruleInput('mail', { channels }),
    });
    expect(codeOf(created)).toBe('FORBIDDEN');
    expect(created.body.errors?.[0]?.message).toContain(address());

    const ruleId = await createRule(owner, tenant, { channels: ['log'] });
    const updated = await gql(UPDATE, owner.headers(tenant), {
      id: ruleId,
      input: ruleInput('mail', { channels }),
    });
    expect(codeOf(updated)).toBe('FORBIDDEN');
    const stored = await stack.db.query(
      `SELECT 1 FROM observability.alert_rules WHERE $1 = ANY(channels)`,
      [`email:${address().toLowerCase()}`],
    );
    expect(stored).toEqual([]);
  });

  it("take the tenant's verified members and the addresses the platform allows", async () => {
    const created = await gql<{ createAlertRule: { channels: string[] } }>(
      CREATE,
      owner.headers(tenant),
      {
        input: ruleInput('mail', {
          channels: [`email:${member.email.toUpperCase()}`, `email:${NOC}`],
        }),
      },
    );
    expect(dataOf(created).createAlertRule.channels).toEqual([
      `email:${member.email}`,
      `email:${NOC}`,
    ]);
  });

  it('send nothing to a member removed after the rule was made', async () => {
    // Fires on the removal itself: a rule watching the tenant's own member removals.
    const ruleId = await createRule(owner, tenant, {
      metric: 'tessera_journal_events_total{type="tenancy.member.removed"}',
      comparator: '>',
      threshold: 0,
      forSeconds: 0,
      channels: [`email:${leaver.email}`, `email:${owner.email}`],
    });
    await roundsPass(2);
    const removed = await gql(
      `mutation ($id: ID!) { removeMember(userId: $id) }`,
      owner.headers(tenant),
      {
        id: leaver.id,
      },
    );
    expect(dataOf(removed)).toEqual({ removeMember: true });

    const [toOwner] = await eventually(async () => {
      const mails = await readOutbox(stack.db, owner.email, 'observability.alert');
      return mails.length > 0 ? mails : undefined;
    }, 30_000);
    expect(toOwner!.text).toContain(ruleId);
    const letter = await eventually(async () => {
      const rows = await stack.db.query<{ reason: string }>(
        `SELECT reason FROM jobs.dead_letters
          WHERE tenant_id = $1 AND queue = 'alerts' AND data->>'channel' = $2`,
        [tenant, `email:${leaver.email}`],
      );
      return rows[0];
    }, 30_000);
    expect(letter.reason).toContain('verified member');
    expect(await readOutbox(stack.db, leaver.email, 'observability.alert')).toEqual([]);
  });
});

describe("tenant rules and other tenants' figures", () => {
  it.each([
    'tessera_graphql_operations_total{operation_name="SpyOnNeighbours"}',
    'tessera_auth_attempts_total{outcome="failure"}',
    'tessera_ws_connections',
  ])('refuse the platform-wide metric %s with BAD_USER_INPUT', async (metric) => {
    const response = await gql(CREATE, owner.headers(tenant), {
      input: ruleInput('spy', { metric }),
    });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain('platform-wide');
    // A platform rule may watch it.
    const platform = await gql(
      `mutation ($input: AlertRuleInput!) { createPlatformAlertRule(input: $input) { id } }`,
      admin.headers(),
      { input: ruleInput('platform', { metric }) },
    );
    expect(codeOf(platform)).toBeUndefined();
  });

  it("never fire on another tenant's activity, and fire on the tenant's own", async () => {
    const SPIED = 'tessera_graphql_operations_total{operation_name="SpyOnNeighbours"}';
    // A rule stored before tenant rules were confined (as a tenant could write it then).
    const [legacy] = await stack.db.query<{ id: string }>(
      `INSERT INTO observability.alert_rules
         (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
       VALUES ($1, 'legacy spy', $2, '>', 0, 0, 'WARNING', '{log}') RETURNING id`,
      [tenant, SPIED],
    );
    // The platform's rule on the same operation: the figures are there, for the platform.
    const platform = dataOf(
      await gql<{ createPlatformAlertRule: { id: string } }>(
        `mutation ($input: AlertRuleInput!) { createPlatformAlertRule(input: $input) { id } }`,
        admin.headers(),
        {
          input: ruleInput('platform-spy', {
            metric: SPIED,
            comparator: '>',
            threshold: 0,
            forSeconds: 0,
          }),
        },
      ),
    ).createPlatformAlertRule;
    const own = await createRule(owner, tenant, {
      metric: 'tessera_journal_events_total{type="observability.alert_rule.created"}',
      comparator: '>',
      threshold: 0,
      forSeconds: 0,
    });
    await roundsPass(2);

    // The neighbour runs the operation both rules watch and writes rules of its own.
    for (let round = 0; round < 3; round += 1) {
      for (let call = 0; call < 5; call += 1) {
        dataOf(
          await gql('query SpyOnNeighbours { alertRules { id } }', outsider.headers(neighbour)),
        );
      }
      await createRule(outsider, neighbour, { channels: ['log'] });
      await roundsPass(1);
    }
    await eventually(async () => (await alertsOfRule(platform.id)).length > 0, 30_000);
    // The round that fired the platform's rule evaluated the tenant's after it.
    await roundsPass(1);
    expect(await alertsOfRule(legacy!.id)).toEqual([]);
    expect(await alertsOfRule(own)).toEqual([]);

    await createRule(owner, tenant, { channels: ['log'] });
    const [fired] = await eventually(async () => {
      const alerts = await alertsOfRule(own);
      return alerts.length > 0 ? alerts : undefined;
    }, 30_000);
    expect(fired!.value).toBeGreaterThan(0);
    expect(await alertsOfRule(legacy!.id)).toEqual([]);
  });
});

describe('alert rules of a suspended tenant', () => {
  it('are not evaluated, leave an open alert as it was, and resume on reinstatement', async () => {
    const firing = await createRule(frozenOwner, frozen, {
      ...ALWAYS_HOLDS,
      channels: ['log', `email:${frozenOwner.email}`],
    });
    const [open] = await eventually(async () => {
      const alerts = await alertsOfRule(firing);
      return alerts.length > 0 ? alerts : undefined;
    }, 30_000);
    const dormant = await createRule(frozenOwner, frozen, {
      ...ALWAYS_HOLDS,
      enabled: false,
      channels: ['log', `email:${frozenOwner.email}`],
    });

    await setStatus(frozen, 'SUSPENDED');
    // Enabled while suspended (the tenant's own API is closed to it): it must stay dormant.
    await stack.db.query(`UPDATE observability.alert_rules SET enabled = true WHERE id = $1`, [
      dormant,
    ]);
    await roundsPass(4);
    expect(await alertsOfRule(dormant)).toEqual([]);
    expect(await alertsOfRule(firing)).toEqual([{ ...open, resolved_at: null }]);
    expect(await eventsOf(frozen, 'observability.alert.resolved')).toEqual([]);
    const dispatched = (
      await alertsQueue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])
    ).filter(
      (job) =>
        job.name === JobName.DISPATCH_ALERT && (job.data as { ruleId?: string }).ruleId === dormant,
    );
    expect(dispatched).toEqual([]);

    await setStatus(frozen, 'ACTIVE');
    await eventually(async () => (await alertsOfRule(dormant)).length > 0, 30_000);
    await roundsPass(2);
    // The alert open before the suspension is the same one, never resolved and fired again.
    expect(await alertsOfRule(firing)).toEqual([{ ...open, resolved_at: null }]);
    expect(
      (await eventsOf(frozen, 'observability.alert.fired')).map((row) => row.rule).sort(),
    ).toEqual([firing, dormant].sort());
    expect(await eventsOf(frozen, 'observability.alert.resolved')).toEqual([]);
    await eventually(async () => {
      const mails = await readOutbox(stack.db, frozenOwner.email, 'observability.alert');
      return mails.some((mail) => mail.text.includes(dormant));
    }, 30_000);
  });
});
