import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  isChallenge,
  answerChallenge,
  startWebhookReceiver,
  type WebhookHandler,
  type WebhookReceiver,
} from '../../../testing/webhook-receiver';
import { connectWs } from '../../../testing/ws-client';
import {
  ALWAYS_HOLDS,
  FAST_ALERTING,
  gqlClient,
  openAlertsQueue,
  RULE_FIELDS,
  ruleInput,
} from './observability-client';
import { codeOf, dataOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';

// Alert rules and alerts end to end: rules written through the gateway, the worker's
// evaluate-alerts job every second, a tenant measure moved by the test (the rate of its own
// journal's events), and the notifications the worker dispatches, webhooks through the webhook
// machinery to a local receiver that verifies them with `standardwebhooks`.

let stack: TestStack;
let receiver: WebhookReceiver;
let alerts: ReturnType<typeof openAlertsQueue>;
let alertsQueue: Queue;
const tenant = randomUUID();
const otherTenant = randomUUID();
let owner: TestUser;
let member: TestUser;
let otherOwner: TestUser;
const gql = gqlClient(() => stack.gatewayUrl);

const CREATE = `mutation ($input: AlertRuleInput!) { createAlertRule(input: $input) { ${RULE_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: AlertRuleInput!) {
  updateAlertRule(id: $id, input: $input) { ${RULE_FIELDS} } }`;
const ALERTS = `query ($active: Boolean) { alerts(active: $active) {
  id severity message value firedAt resolvedAt acknowledgedAt acknowledgedBy { id }
  rule { id name } } }`;

interface AlertView {
  id: string;
  severity: string;
  message: string;
  value: number | null;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string } | null;
  rule: { id: string; name: string };
}

async function createRule(as: TestUser, tenantId: string, overrides: Record<string, unknown> = {}) {
  const response = await gql<{ createAlertRule: { id: string } }>(CREATE, as.headers(tenantId), {
    input: ruleInput('rule', overrides),
  });
  return dataOf(response).createAlertRule;
}

/** A verified, ACTIVE webhook endpoint at a fresh receiver path, answering with `handler`. */
async function activeEndpoint(handler: WebhookHandler = () => undefined) {
  const route = `/alerts-${randomUUID().slice(0, 8)}`;
  let secret = '';
  receiver.route(route, (request) =>
    isChallenge(request) ? answerChallenge(request, secret) : handler(request),
  );
  const created = dataOf(
    await gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      `mutation ($input: WebhookEndpointInput!) {
         createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      owner.headers(tenant),
      // Subscribed to something else: alerts reach it only through a rule's channel.
      { input: { url: `${receiver.origin}${route}`, eventTypes: ['assets.asset.created'] } },
    ),
  ).createWebhookEndpoint;
  secret = created.secret;
  dataOf(
    await gql(
      `mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { status } }`,
      owner.headers(tenant),
      {
        id: created.endpoint.id,
      },
    ),
  );
  const deliveries = () => receiver.at(route).filter((request) => !isChallenge(request));
  return { id: created.endpoint.id, secret: created.secret, deliveries };
}

async function deadLetters(queue: string) {
  return stack.db.query<{ job_id: string; reason: string; data: Record<string, unknown> }>(
    `SELECT job_id, reason, data FROM jobs.dead_letters WHERE tenant_id = $1 AND queue = $2`,
    [tenant, queue],
  );
}

async function alertsOf(as: TestUser, tenantId: string, active?: boolean): Promise<AlertView[]> {
  return dataOf(await gql<{ alerts: AlertView[] }>(ALERTS, as.headers(tenantId), { active }))
    .alerts;
}

beforeAll(async () => {
  stack = await startStack({
    worker: true,
    env: {
      ...FAST_ALERTING,
      ALERT_EMAIL_ALLOWED_RECIPIENTS: 'ops@example.com,oncall@alerting.example',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
    },
  });
  receiver = await startWebhookReceiver();
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'alerting', 'A'), ($2, 'alerting-other', 'B')`,
    [tenant, otherTenant],
  );
  [owner, member, otherOwner] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, otherTenant, 'OWNER'),
  ]);
  alerts = openAlertsQueue(stack.redisPrefix);
  alertsQueue = alerts.queue;
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await alerts?.close();
  await stack?.stop();
});

describe('alert rules', () => {
  it('are created, listed, updated and deleted by an admin, each with an event', async () => {
    const created = await createRule(owner, tenant, {
      name: '  failed jobs  ',
      metric: ' tessera_journal_events_total{type="jobs.job.dead_lettered"} ',
      channels: ['log', 'EMAIL:Ops@Example.com', 'log'],
    });
    expect(created).toMatchObject({
      name: 'failed jobs',
      metric: 'tessera_journal_events_total{type="jobs.job.dead_lettered"}',
      channels: ['log', 'email:ops@example.com'],
      enabled: true,
    });

    const listed = dataOf(
      await gql<{ alertRules: { id: string }[] }>(
        `{ alertRules { ${RULE_FIELDS} } }`,
        member.headers(tenant),
      ),
    ).alertRules;
    expect(listed.map((rule) => rule.id)).toContain(created.id);

    const updated = dataOf(
      await gql<{ updateAlertRule: Record<string, unknown> }>(UPDATE, owner.headers(tenant), {
        id: created.id,
        input: ruleInput('rule', { name: 'failed jobs', threshold: 0.5, enabled: false }),
      }),
    ).updateAlertRule;
    expect(updated).toMatchObject({ id: created.id, threshold: 0.5, enabled: false });

    const deleted = await gql<{ deleteAlertRule: boolean }>(
      `mutation ($id: ID!) { deleteAlertRule(id: $id) }`,
      owner.headers(tenant),
      { id: created.id },
    );
    expect(dataOf(deleted).deleteAlertRule).toBe(true);
    const types = await stack.db.query<{ type: string }>(
      `SELECT type FROM events.events WHERE tenant_id = $1 AND payload->>'ruleId' = $2 ORDER BY seq`,
      [tenant, created.id],
    );
    expect(types.map((row) => row.type)).toEqual([
      'observability.alert_rule.created',
      'observability.alert_rule.updated',
      'observability.alert_rule.deleted',
    ]);
  });

  it.each([
    ['an unknown metric', { metric: 'process_cpu_seconds_total' }, 'metric'],
    ['a platform-wide metric', { metric: 'tessera_relay_lag_seconds' }, 'platform-wide'],
    [
      'a label the metric has not',
      { metric: 'tessera_journal_events_total{tenant="x"}' },
      'metric',
    ],
    [
      'an event type the journal has not',
      { metric: 'tessera_journal_events_total{type="auth.everything"}' },
      'type',
    ],
    ['an unknown comparator', { comparator: '=>' }, 'comparator'],
    ['a window over a day', { forSeconds: 86_401 }, 'forSeconds'],
    ['a negative window', { forSeconds: -1 }, 'forSeconds'],
    ['a bad channel', { channels: ['sms:+100'] }, 'channel'],
    ['a bad address', { channels: ['email:nobody'] }, 'address'],
    ['an empty name', { name: '   ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, overrides, field) => {
    const response = await gql(CREATE, owner.headers(tenant), {
      input: ruleInput('rule', overrides),
    });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain(field);
  });

  it('refuses a second rule with the same name with CONFLICT', async () => {
    const name = `dup-${randomUUID().slice(0, 6)}`;
    await createRule(owner, tenant, { name });
    expect(
      codeOf(await gql(CREATE, owner.headers(tenant), { input: ruleInput('rule', { name }) })),
    ).toBe('CONFLICT');
  });

  it('refuses writes by a member, and lets a member read', async () => {
    const response = await gql(CREATE, member.headers(tenant), { input: ruleInput('rule') });
    expect(codeOf(response)).toBe('FORBIDDEN');
    expect(codeOf(await gql('{ alertRules { id } }', member.headers(tenant)))).toBeUndefined();
    expect(codeOf(await gql('{ alertRules { id } }', { 'x-tenant-id': tenant }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it("keeps another tenant's rules invisible and untouchable", async () => {
    const theirs = await createRule(otherOwner, otherTenant);
    const mine = dataOf(
      await gql<{ alertRules: { id: string }[] }>('{ alertRules { id } }', owner.headers(tenant)),
    ).alertRules;
    expect(mine.map((rule) => rule.id)).not.toContain(theirs.id);
    const update = await gql(
      `mutation ($id: ID!, $input: AlertRuleInput!) { updateAlertRule(id: $id, input: $input) { id } }`,
      owner.headers(tenant),
      { id: theirs.id, input: ruleInput('rule') },
    );
    expect(codeOf(update)).toBe('NOT_FOUND');
    const remove = await gql(
      `mutation ($id: ID!) { deleteAlertRule(id: $id) }`,
      owner.headers(tenant),
      {
        id: theirs.id,
      },
    );
    expect(codeOf(remove)).toBe('NOT_FOUND');
    // Nor can the owner of one tenant reach the other by naming it.
    expect(codeOf(await gql('{ alertRules { id } }', owner.headers(otherTenant)))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('alerts', () => {
  it('fire after the for window, notify, resolve when the metric clears, and are acknowledged', async () => {
    const subscriber = connectWs(stack.gatewayUrl, {
      accessToken: member.accessToken,
      tenantId: tenant,
    });
    const live = subscriber.subscribe<{ alerts: { id: string; resolvedAt: string | null } }>(
      'subscription { alerts { id resolvedAt rule { name } } }',
    );
    const endpoint = await activeEndpoint();
    // The measure the test moves: while it keeps updating this rule, the tenant's journal has
    // `alert_rule.updated` events every round; once it stops, their rate falls to 0.
    const churned = await createRule(owner, tenant, { name: 'churned', enabled: false });
    const opened = Date.now();
    const rule = await createRule(owner, tenant, {
      name: 'rules churning',
      metric: 'tessera_journal_events_total{type="observability.alert_rule.updated"}',
      comparator: '>',
      threshold: 0,
      forSeconds: 2,
      severity: 'CRITICAL',
      channels: ['log', 'email:oncall@alerting.example', `webhook:${endpoint.id}`],
    });
    let churning = true;
    const churn = (async () => {
      while (churning) {
        dataOf(
          await gql(UPDATE, owner.headers(tenant), {
            id: churned.id,
            input: ruleInput('rule', { name: 'churned', enabled: false }),
          }),
        );
        // Paced: a few events a round are enough, and the machine is shared.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    let fired: AlertView;
    try {
      fired = await eventually(async () => (await alertsOf(owner, tenant, true))[0], 30_000);
      // Not before the window: the condition must have held for forSeconds.
      expect(Date.parse(fired.firedAt) - opened).toBeGreaterThanOrEqual(2_000);
      expect(fired).toMatchObject({
        severity: 'CRITICAL',
        resolvedAt: null,
        rule: { id: rule.id, name: 'rules churning' },
      });
      expect(fired.value).toBeGreaterThan(0);
      expect(fired.message).toContain('tessera_journal_events_total');
    } finally {
      churning = false;
      await churn;
    }

    const resolved = await eventually(async () => {
      const [alert] = await alertsOf(owner, tenant, false);
      return alert?.id === fired.id ? alert : undefined;
    }, 30_000);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(await alertsOf(owner, tenant, true)).toEqual([]);

    // The worker logged both notifications (the log channel).
    await eventually(async () =>
      ['fired', 'resolved'].every((transition) =>
        stack.logs.some(
          (log) =>
            log.service === 'worker' &&
            log.entry?.alertId === fired.id &&
            String(log.entry?.msg).startsWith(`alert ${transition}:`),
        ),
      ),
    );

    // Both went out by mail (the outbox transport of tests).
    const mails = await eventually(async () => {
      const rows = await stack.db.query<{ subject: string; body_text: string }>(
        `SELECT subject, body_text FROM mail.outbox
          WHERE recipient = 'oncall@alerting.example' AND kind = 'observability.alert'
          ORDER BY created_at`,
      );
      return rows.length >= 2 ? rows : undefined;
    });
    expect(mails.map((mail) => mail.subject)).toEqual([
      '[FIRING] [CRITICAL] rules churning',
      '[RESOLVED] [CRITICAL] rules churning',
    ]);
    expect(mails[0]!.body_text).toContain(fired.id);

    // The receiver got both as signed Standard Webhooks, with the alert in the data.
    const delivered = await eventually(async () => {
      const requests = endpoint.deliveries();
      return requests.length >= 2 ? requests : undefined;
    });
    const bodies = delivered.map(
      (request) =>
        new Webhook(endpoint.secret).verify(
          request.body,
          request.headers as Record<string, string>,
        ) as { type: string; data: { alertId: string; ruleName: string } },
    );
    expect(bodies.map((body) => body.type)).toEqual([
      'observability.alert.fired',
      'observability.alert.resolved',
    ]);
    expect(bodies.every((body) => body.data.alertId === fired.id)).toBe(true);
    expect(bodies[0]!.data.ruleName).toBe('rules churning');

    const acknowledge = `mutation ($id: ID!) { acknowledgeAlert(id: $id) { id acknowledgedAt acknowledgedBy { id } } }`;
    expect(codeOf(await gql(acknowledge, member.headers(tenant), { id: fired.id }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(acknowledge, otherOwner.headers(otherTenant), { id: fired.id }))).toBe(
      'NOT_FOUND',
    );
    const acknowledged = dataOf(
      await gql<{ acknowledgeAlert: { acknowledgedAt: string; acknowledgedBy: { id: string } } }>(
        acknowledge,
        owner.headers(tenant),
        { id: fired.id },
      ),
    ).acknowledgeAlert;
    expect(acknowledged.acknowledgedBy).toEqual({ id: owner.id });

    const types = await stack.db.query<{ type: string }>(
      `SELECT type FROM events.events WHERE tenant_id = $1 AND payload->>'alertId' = $2 ORDER BY seq`,
      [tenant, fired.id],
    );
    expect(types.map((row) => row.type)).toEqual([
      'observability.alert.fired',
      'observability.alert.resolved',
      'observability.alert.acknowledged',
    ]);
    // Another tenant sees none of it.
    expect(await alertsOf(otherOwner, otherTenant)).toEqual([]);

    // The subscriber saw it fire, resolve and be acknowledged, as it happened.
    await eventually(async () => live.results.filter((r) => r.alerts.id === fired.id).length >= 3);
    const seen = live.results.filter((r) => r.alerts.id === fired.id);
    expect(seen[0]!.alerts.resolvedAt).toBeNull();
    expect(seen[1]!.alerts.resolvedAt).not.toBeNull();
    expect(live.errors).toEqual([]);
    await subscriber.dispose();
  });

  it('refuses the alerts subscription to a viewer', async () => {
    const viewer = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'VIEWER');
    const socket = connectWs(stack.gatewayUrl, {
      accessToken: viewer.accessToken,
      tenantId: tenant,
    });
    const received = socket.subscribe('subscription { alerts { id } }');
    await received.ended;
    expect(JSON.stringify(received.errors)).toContain('FORBIDDEN');
    await socket.dispose();
  });

  it('turns a notification that cannot be sent into a dead letter, at once when no retry can help', async () => {
    const missingEndpoint = randomUUID();
    await createRule(owner, tenant, {
      ...ALWAYS_HOLDS,
      name: 'always',
      channels: [`webhook:${missingEndpoint}`],
    });
    // The dead letter is committed before BullMQ marks the job failed: wait for both.
    const [letter] = await eventually(async () => {
      const letters = (await deadLetters(QueueName.ALERTS)).filter(
        (row) => row.data.channel === `webhook:${missingEndpoint}`,
      );
      const failed = letters[0] && (await alertsQueue.getJob(letters[0].job_id))?.failedReason;
      return failed ? letters : undefined;
    }, 30_000);
    expect(letter!.reason).toContain('does not exist');
    expect(letter!.data).toMatchObject({ tenantId: tenant, transition: 'fired' });
    // The job is kept as failed, and the failure is an event of the tenant.
    const job = await alertsQueue.getJob(letter!.job_id);
    expect(job?.name).toBe(JobName.DISPATCH_ALERT);
    expect(await job?.getState()).toBe('failed');
    const events = await stack.db.query(
      `SELECT 1 FROM events.events WHERE tenant_id = $1 AND type = 'jobs.job.dead_lettered'
          AND payload->>'jobId' = $2`,
      [tenant, letter!.job_id],
    );
    expect(events).toHaveLength(1);
    expect(
      stack.logs.some(
        (log) =>
          log.service === 'worker' &&
          log.entry?.msg === 'alert notification failed for good' &&
          log.entry.notificationId === letter!.data.notificationId,
      ),
    ).toBe(true);
  });

  it('retries a webhook alert the receiver refuses, then leaves it in the dead letters', async () => {
    const endpoint = await activeEndpoint(() => ({ status: 500, body: 'down' }));
    await createRule(owner, tenant, {
      ...ALWAYS_HOLDS,
      name: 'refused',
      channels: [`webhook:${endpoint.id}`],
    });
    // The first attempt and the two retries of the schedule, then the dead letter.
    await eventually(async () => endpoint.deliveries().length >= 3, 30_000);
    const letter = await eventually(async () =>
      (await deadLetters('webhook-delivery')).find((row) => row.data.endpointId === endpoint.id),
    );
    expect(letter.reason).toMatch(/500/);
    expect(endpoint.deliveries()).toHaveLength(3);
  });
});
