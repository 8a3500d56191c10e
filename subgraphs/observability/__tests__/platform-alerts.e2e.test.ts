import { randomUUID } from 'node:crypto';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { connectWs } from '../../../testing/ws-client';
import { FAST_ALERTING, gqlClient, RULE_FIELDS, ruleInput } from './observability-client';
import { codeOf, dataOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';

// Platform alert rules end to end: written by a platform administrator through the gateway,
// evaluated by the worker's evaluate-alerts job every second over a metric the test moves
// (open graphql-ws connections at the gateway), dispatched without a tenant, and out of every
// tenant member's sight and reach.

let stack: TestStack;
let admin: TestUser;
let owner: TestUser;
const tenant = randomUUID();
const gql = gqlClient(() => stack.gatewayUrl);
/** The mail outbox refuses this recipient, as a mail server that is down would. */
const UNDELIVERABLE = 'unreachable@alerts.example';

const CREATE = `mutation ($input: AlertRuleInput!) {
  createPlatformAlertRule(input: $input) { ${RULE_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: AlertRuleInput!) {
  updatePlatformAlertRule(id: $id, input: $input) { ${RULE_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deletePlatformAlertRule(id: $id) }`;
const ACKNOWLEDGE = `mutation ($id: ID!) {
  acknowledgePlatformAlert(id: $id) { id acknowledgedAt acknowledgedBy { id } } }`;
const ALERTS = `query ($active: Boolean) { platformAlerts(active: $active) {
  id severity message value firedAt resolvedAt acknowledgedAt rule { id name } } }`;

interface AlertView {
  id: string;
  severity: string;
  message: string;
  value: number | null;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  rule: { id: string; name: string };
}

async function createRule(overrides: Record<string, unknown> = {}) {
  const response = await gql<{ createPlatformAlertRule: { id: string; name: string } }>(
    CREATE,
    admin.headers(),
    { input: ruleInput('platform', overrides) },
  );
  return dataOf(response).createPlatformAlertRule;
}

async function platformAlerts(active?: boolean): Promise<AlertView[]> {
  return dataOf(await gql<{ platformAlerts: AlertView[] }>(ALERTS, admin.headers(), { active }))
    .platformAlerts;
}

beforeAll(async () => {
  stack = await startStack({
    worker: true,
    env: FAST_ALERTING,
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'platform-alerting', 'P')`,
    [tenant],
  );
  [admin, owner] = await Promise.all([
    signUpPlatformAdmin(stack.gatewayUrl, stack.db),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER'),
  ]);
  await stack.db.query(`
    CREATE FUNCTION mail.refuse_undeliverable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.recipient = '${UNDELIVERABLE}' THEN RAISE EXCEPTION 'mailbox unavailable'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_undeliverable BEFORE INSERT ON mail.outbox
      FOR EACH ROW EXECUTE FUNCTION mail.refuse_undeliverable();`);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('platform alert rules', () => {
  it('are created, listed, updated and deleted by a platform admin, as platform events', async () => {
    const created = await createRule({
      name: '  queue backlog  ',
      metric: 'tessera_queue_jobs{state="waiting",queue="alerts"}',
      channels: ['log', 'EMAIL:Oncall@Platform.example', 'log'],
    });
    expect(created).toMatchObject({
      name: 'queue backlog',
      metric: 'tessera_queue_jobs{queue="alerts",state="waiting"}',
      channels: ['log', 'email:oncall@platform.example'],
      enabled: true,
    });
    const listed = dataOf(
      await gql<{ platformAlertRules: { id: string }[] }>(
        `{ platformAlertRules { ${RULE_FIELDS} } }`,
        admin.headers(),
      ),
    ).platformAlertRules;
    expect(listed.map((rule) => rule.id)).toContain(created.id);

    const updated = dataOf(
      await gql<{ updatePlatformAlertRule: Record<string, unknown> }>(UPDATE, admin.headers(), {
        id: created.id,
        input: ruleInput('platform', { name: 'queue backlog', threshold: 1000, enabled: false }),
      }),
    ).updatePlatformAlertRule;
    expect(updated).toMatchObject({ id: created.id, threshold: 1000, enabled: false });
    expect(
      dataOf(await gql<{ deletePlatformAlertRule: boolean }>(DELETE, admin.headers(), created))
        .deletePlatformAlertRule,
    ).toBe(true);

    const events = await stack.db.query<{ type: string; tenant_id: string | null }>(
      `SELECT type, tenant_id FROM events.events WHERE payload->>'ruleId' = $1 ORDER BY seq`,
      [created.id],
    );
    expect(events).toEqual(
      ['created', 'updated', 'deleted'].map((action) => ({
        type: `observability.alert_rule.${action}`,
        tenant_id: null,
      })),
    );
  });

  it.each([
    ['an unknown comparator', { comparator: '=>' }, 'comparator'],
    ['a threshold that is not a number', { threshold: 'high' }, 'threshold'],
    ['a window over a day', { forSeconds: 86_401 }, 'forSeconds'],
    ['a negative window', { forSeconds: -1 }, 'forSeconds'],
    ['a fractional window', { forSeconds: 1.5 }, 'forSeconds'],
    ['an unknown metric', { metric: 'process_cpu_seconds_total' }, 'metric'],
    ['a webhook channel', { channels: [`webhook:${randomUUID()}`] }, 'webhook'],
    ['a bad address', { channels: ['email:nobody'] }, 'address'],
    ['an empty name', { name: '   ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, overrides, field) => {
    const response = await gql(CREATE, admin.headers(), {
      input: ruleInput('platform', overrides),
    });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain(field);
  });

  it('refuses a second platform rule with the same name with CONFLICT', async () => {
    const name = `dup-${randomUUID().slice(0, 6)}`;
    await createRule({ name });
    expect(
      codeOf(await gql(CREATE, admin.headers(), { input: ruleInput('platform', { name }) })),
    ).toBe('CONFLICT');
  });

  const someId = randomUUID();
  it.each([
    ['platformAlertRules', '{ platformAlertRules { id } }', {}],
    ['platformAlerts', '{ platformAlerts { id } }', {}],
    ['platformAlert', 'query ($id: ID!) { platformAlert(id: $id) { id } }', { id: someId }],
    ['createPlatformAlertRule', CREATE, { input: ruleInput('platform') }],
    ['updatePlatformAlertRule', UPDATE, { id: someId, input: ruleInput('platform') }],
    ['deletePlatformAlertRule', DELETE, { id: someId }],
    ['acknowledgePlatformAlert', ACKNOWLEDGE, { id: someId }],
  ])(
    'refuses %s to a tenant owner (FORBIDDEN) and to nobody (UNAUTHENTICATED)',
    async (_f, query, variables) => {
      expect(codeOf(await gql(query, owner.headers(), variables))).toBe('FORBIDDEN');
      expect(codeOf(await gql(query, owner.headers(tenant), variables))).toBe('FORBIDDEN');
      expect(codeOf(await gql(query, {}, variables))).toBe('UNAUTHENTICATED');
    },
  );

  it("stays out of a tenant's rules, and the tenant's out of the platform's", async () => {
    const platformRule = await createRule();
    const tenantRule = dataOf(
      await gql<{ createAlertRule: { id: string } }>(
        `mutation ($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`,
        owner.headers(tenant),
        { input: ruleInput('platform') },
      ),
    ).createAlertRule;
    const tenantRules = dataOf(
      await gql<{ alertRules: { id: string }[] }>('{ alertRules { id } }', owner.headers(tenant)),
    ).alertRules;
    expect(tenantRules.map((rule) => rule.id)).toEqual([tenantRule.id]);
    // Even a platform admin sees only the tenant's rules through the tenant's field.
    const asAdmin = dataOf(
      await gql<{ alertRules: { id: string }[] }>('{ alertRules { id } }', admin.headers(tenant)),
    ).alertRules;
    expect(asAdmin.map((rule) => rule.id)).toEqual([tenantRule.id]);

    const tenantUpdate = `mutation ($id: ID!, $input: AlertRuleInput!) {
      updateAlertRule(id: $id, input: $input) { id } }`;
    expect(
      codeOf(
        await gql(tenantUpdate, owner.headers(tenant), {
          id: platformRule.id,
          input: ruleInput('platform'),
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      codeOf(
        await gql(`mutation ($id: ID!) { deleteAlertRule(id: $id) }`, owner.headers(tenant), {
          id: platformRule.id,
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      codeOf(
        await gql(UPDATE, admin.headers(), { id: tenantRule.id, input: ruleInput('platform') }),
      ),
    ).toBe('NOT_FOUND');
    expect(codeOf(await gql(DELETE, admin.headers(), { id: tenantRule.id }))).toBe('NOT_FOUND');
    const platformRules = dataOf(
      await gql<{ platformAlertRules: { id: string }[] }>(
        '{ platformAlertRules { id } }',
        admin.headers(),
      ),
    ).platformAlertRules;
    expect(platformRules.map((rule) => rule.id)).not.toContain(tenantRule.id);
  });
});

describe('platform alerts', () => {
  it('fire after the for window, notify, resolve, are acknowledged, and no tenant sees them', async () => {
    // The admin's own subscription socket is one connection; a second crosses the threshold.
    const subscriber = connectWs(stack.gatewayUrl, { accessToken: admin.accessToken });
    const live = subscriber.subscribe<{
      platformAlerts: { id: string; resolvedAt: string | null };
    }>('subscription { platformAlerts { id resolvedAt rule { name } } }');
    const rule = await createRule({
      name: 'sockets open',
      metric: 'tessera_ws_connections',
      comparator: '>=',
      threshold: 2,
      forSeconds: 2,
      severity: 'CRITICAL',
      channels: ['log', 'email:oncall@platform.example'],
    });
    const socket = connectWs(stack.gatewayUrl, { accessToken: owner.accessToken });
    const opened = Date.now();
    let fired: AlertView;
    try {
      fired = await eventually(async () => (await platformAlerts(true))[0], 30_000);
      // Not before the 2 s window: a round dates what it sees from its start, which may come
      // before the socket opened while its scrape comes after, hence one interval (1 s) of slack.
      expect(Date.parse(fired.firedAt) - opened).toBeGreaterThanOrEqual(2_000 - 1_000);
      expect(fired).toMatchObject({
        severity: 'CRITICAL',
        value: 2,
        resolvedAt: null,
        rule: { id: rule.id, name: 'sockets open' },
      });
    } finally {
      await socket.dispose();
    }
    const resolved = await eventually(async () => {
      const [alert] = await platformAlerts(false);
      return alert?.id === fired.id ? alert : undefined;
    }, 30_000);
    expect(resolved.resolvedAt).not.toBeNull();

    // Logged by the worker without a tenant, and mailed.
    await eventually(async () =>
      ['fired', 'resolved'].every((transition) =>
        stack.logs.some(
          (log) =>
            log.service === 'worker' &&
            log.entry?.alertId === fired.id &&
            log.entry.tenantId === null &&
            String(log.entry.msg).startsWith(`alert ${transition}:`),
        ),
      ),
    );
    const mails = await eventually(async () => {
      const rows = await stack.db.query<{ subject: string }>(
        `SELECT subject FROM mail.outbox WHERE recipient = 'oncall@platform.example'
          ORDER BY created_at`,
      );
      return rows.length >= 2 ? rows : undefined;
    });
    expect(mails.map((mail) => mail.subject)).toEqual([
      '[FIRING] [CRITICAL] sockets open',
      '[RESOLVED] [CRITICAL] sockets open',
    ]);

    // A tenant member sees none of it and cannot acknowledge it, by any field.
    const tenantAlerts = dataOf(
      await gql<{ alerts: { id: string }[] }>('{ alerts { id } }', owner.headers(tenant)),
    ).alerts;
    expect(tenantAlerts).toEqual([]);
    const one = dataOf(
      await gql<{ alert: unknown }>(
        'query ($id: ID!) { alert(id: $id) { id } }',
        owner.headers(tenant),
        {
          id: fired.id,
        },
      ),
    ).alert;
    expect(one).toBeNull();
    expect(
      codeOf(
        await gql(
          `mutation ($id: ID!) { acknowledgeAlert(id: $id) { id } }`,
          owner.headers(tenant),
          {
            id: fired.id,
          },
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(codeOf(await gql(ACKNOWLEDGE, owner.headers(tenant), { id: fired.id }))).toBe(
      'FORBIDDEN',
    );

    const acknowledged = dataOf(
      await gql<{ acknowledgePlatformAlert: { acknowledgedBy: { id: string } } }>(
        ACKNOWLEDGE,
        admin.headers(),
        { id: fired.id },
      ),
    ).acknowledgePlatformAlert;
    expect(acknowledged.acknowledgedBy).toEqual({ id: admin.id });

    const events = await stack.db.query<{ type: string; tenant_id: string | null }>(
      `SELECT type, tenant_id FROM events.events WHERE payload->>'alertId' = $1 ORDER BY seq`,
      [fired.id],
    );
    expect(events).toEqual(
      ['fired', 'resolved', 'acknowledged'].map((action) => ({
        type: `observability.alert.${action}`,
        tenant_id: null,
      })),
    );

    // The platform subscriber saw it fire, resolve and be acknowledged.
    await eventually(
      async () => live.results.filter((r) => r.platformAlerts.id === fired.id).length >= 3,
    );
    const seen = live.results.filter((r) => r.platformAlerts.id === fired.id);
    expect(seen[0]!.platformAlerts.resolvedAt).toBeNull();
    expect(seen[1]!.platformAlerts.resolvedAt).not.toBeNull();
    expect(live.errors).toEqual([]);
    await subscriber.dispose();
    // Stop it firing again while the other tests open sockets.
    await gql(DELETE, admin.headers(), { id: rule.id });
  });

  it('refuses the platformAlerts subscription to a tenant owner', async () => {
    const socket = connectWs(stack.gatewayUrl, {
      accessToken: owner.accessToken,
      tenantId: tenant,
    });
    const received = socket.subscribe('subscription { platformAlerts { id } }');
    await received.ended;
    expect(JSON.stringify(received.errors)).toContain('FORBIDDEN');
    await socket.dispose();
  });

  it('retries a notification that cannot be sent, then records a platform dead letter', async () => {
    await createRule({
      name: 'mail down',
      metric: 'tessera_relay_active',
      comparator: '>=',
      threshold: 0,
      forSeconds: 0,
      channels: [`email:${UNDELIVERABLE}`],
    });
    const letter = await eventually(async () => {
      const [row] = await stack.db.query<{
        id: string;
        job_id: string;
        tenant_id: string | null;
        reason: string;
        data: Record<string, unknown>;
      }>(
        `SELECT id, job_id, tenant_id, reason, data FROM jobs.dead_letters
          WHERE queue = 'alerts' AND data->>'channel' = $1`,
        [`email:${UNDELIVERABLE}`],
      );
      return row;
    }, 30_000);
    expect(letter).toMatchObject({
      tenant_id: null,
      data: { tenantId: null, transition: 'fired' },
    });
    expect(letter.reason).toContain('mailbox unavailable');
    // Both attempts were made: the first is logged as a retry.
    expect(
      stack.logs.some(
        (log) =>
          log.service === 'worker' &&
          log.entry?.msg === 'alert notification failed; retrying' &&
          log.entry.notificationId === letter.data.notificationId,
      ),
    ).toBe(true);
    const events = await stack.db.query(
      `SELECT 1 FROM events.events WHERE tenant_id IS NULL AND type = 'jobs.job.dead_lettered'
          AND payload->>'deadLetterId' = $1`,
      [letter.id],
    );
    expect(events).toHaveLength(1);
    // Platform administrators find it among the dead letters; the tenant does not.
    const adminView = dataOf(
      await gql<{ adminDeadLetters: { nodes: { id: string; tenantId: string | null }[] } }>(
        `{ adminDeadLetters(queue: "alerts") { nodes { id tenantId } } }`,
        admin.headers(),
      ),
    ).adminDeadLetters.nodes;
    expect(adminView).toContainEqual({ id: letter.id, tenantId: null });
    const tenantView = dataOf(
      await gql<{ deadLetters: { nodes: { id: string }[] } }>(
        `{ deadLetters(queue: "alerts") { nodes { id } } }`,
        owner.headers(tenant),
      ),
    ).deadLetters.nodes;
    expect(tenantView.map((node) => node.id)).not.toContain(letter.id);
  });
});
