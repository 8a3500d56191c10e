import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  alertDispatchJobOptions,
  type AlertDispatchJob,
} from '../../../platform/contracts/observability/alert-dispatch-job';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { tenantScope } from '../../../platform/db/scope';
import { OUTBOUND_DEFAULTS, type OutboundPolicy } from '../../../platform/outbound/policy';
import { JobName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startWebhookReceiver, type WebhookReceiver } from '../../../testing/webhook-receiver';
import { AlertChannelService } from '../../observability/alerts/channels/alert-channel.service';
import {
  dispatchAlert,
  PermanentDispatchError,
  type AlertDispatchDeps,
} from '../worker/alerts/alert-dispatch.processor';
import { secretChannelSender } from '../worker/alerts/secret-channel-sender';
import { PublicJobError } from '../worker/job-failure';

// The worker sends Slack and PagerDuty alerts: channels are written by observability's role,
// read and decrypted by the worker's, and posted through the SSRF-safe client to local
// receivers that check the payload shapes (Slack's text and blocks; PagerDuty's Events API v2
// trigger and resolve under one dedup_key). A receiver that fails is retried through a real
// BullMQ queue, and one that stays down ends as a dead letter with the reason, not the secret.

let db: TestDatabase;
let observability: DataSource;
let worker: DataSource;
let receiver: WebhookReceiver;
let redis: Redis;
const prefix = testRedisPrefix();
const keyRing = KeyRing.fromConfig(
  parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
);
// Loopback is reachable only through the operator's exception, as in a real deployment.
const loopback: OutboundPolicy = { allowedCidrs: ['127.0.0.0/8'], ...OUTBOUND_DEFAULTS };
const tenantA = randomUUID();
const tenantB = randomUUID();

const channelsOf = (tenantId: string) =>
  new AlertChannelService(
    {
      tenantId,
      run: (fn) => tenantScope(observability, tenantId).run(fn),
      lookup: (fn) => tenantScope(observability, tenantId).lookup(fn),
      read: (fn) => tenantScope(observability, tenantId).run(fn),
    },
    { keyRing, secrets: { allowHttp: true, policy: loopback } },
  );
const sender = (policy = loopback) =>
  secretChannelSender({
    dataSource: worker,
    keyRing,
    policy,
    pagerDutyEventsUrl: `${receiver.origin}/v2/enqueue`,
  });

function notification(overrides: Partial<AlertDispatchJob> = {}): AlertDispatchJob {
  return {
    notificationId: randomUUID(),
    tenantId: tenantA,
    requestId: null,
    actor: { kind: 'system', id: null },
    alertId: randomUUID(),
    ruleId: randomUUID(),
    ruleName: 'dead webhooks',
    severity: 'CRITICAL',
    transition: 'fired',
    eventId: randomUUID(),
    channel: 'log',
    message: 'dead deliveries > 3 <now>',
    metric: 'tessera_journal_events_total{type="jobs.webhook.delivery.dead"}',
    value: 5,
    firedAt: '2026-12-05T10:00:00.000Z',
    resolvedAt: null,
    ...overrides,
  };
}

async function slackChannel(tenantId = tenantA, path = `/services/T1/B1/${randomUUID()}`) {
  const created = await channelsOf(tenantId).create({
    kind: 'SLACK',
    name: `slack-${randomUUID().slice(0, 8)}`,
    secret: `${receiver.origin}${path}`,
  });
  return { ...created, path };
}

beforeAll(async () => {
  db = await createTestDatabase();
  observability = await connectAs(db, 'observability');
  worker = await connectAs(db, 'worker');
  receiver = await startWebhookReceiver();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  await receiver?.close();
  redis?.disconnect();
  await observability?.destroy();
  await worker?.destroy();
  await cleanupRedisPrefix(prefix);
  await db?.drop();
});

it('posts a Slack message with text and blocks, markup escaped', async () => {
  const channel = await slackChannel();
  await sender().send(notification(), 'slack', channel.id);
  const [request] = await receiver.waitFor(channel.path, 1);
  expect(request!.headers['content-type']).toBe('application/json');
  const body = JSON.parse(request!.body) as {
    text: string;
    blocks: { type: string; text?: { type: string; text: string }; elements?: unknown[] }[];
  };
  expect(body.text).toBe('[FIRING] [CRITICAL] dead webhooks: dead deliveries &gt; 3 &lt;now&gt;');
  expect(body.blocks.map((block) => block.type)).toEqual(['section', 'context']);
  expect(body.blocks[0]!.text).toEqual({ type: 'mrkdwn', text: `*${body.text}*` });
  expect(JSON.stringify(body.blocks[1]!.elements)).toContain('Value: 5');
});

it('triggers a PagerDuty incident when the alert fires and resolves it under the same dedup_key', async () => {
  const key = randomBytes(16).toString('hex');
  const channel = await channelsOf(tenantA).create({ kind: 'PAGERDUTY', name: 'pd', secret: key });
  const fired = notification({ severity: 'WARNING' });
  await sender().send(fired, 'pagerduty', channel.id);
  await sender().send(
    { ...fired, transition: 'resolved', resolvedAt: '2026-12-05T10:05:00.000Z' },
    'pagerduty',
    channel.id,
  );
  const [trigger, resolve] = (await receiver.waitFor('/v2/enqueue', 2)).map(
    (request) => JSON.parse(request.body) as Record<string, unknown>,
  );
  expect(trigger).toEqual({
    routing_key: key,
    event_action: 'trigger',
    dedup_key: fired.alertId,
    payload: expect.objectContaining({
      summary: '[FIRING] [WARNING] dead webhooks: dead deliveries > 3 <now>',
      source: `tessera tenant ${tenantA}`,
      severity: 'warning',
      timestamp: fired.firedAt,
    }),
  });
  expect(resolve).toEqual({ routing_key: key, event_action: 'resolve', dedup_key: fired.alertId });
});

it("refuses for good to send to another tenant's channel, reading it as missing", async () => {
  const channel = await slackChannel(tenantA);
  await expect(
    sender().send(notification({ tenantId: tenantB }), 'slack', channel.id),
  ).rejects.toThrow(PermanentDispatchError);
  await expect(
    sender().send(notification({ tenantId: null }), 'slack', channel.id),
  ).rejects.toThrow(PermanentDispatchError);
  await expect(sender().send(notification(), 'pagerduty', channel.id)).rejects.toThrow(
    'does not exist',
  );
  expect(receiver.at(channel.path)).toEqual([]);
});

it('refuses for good a target the SSRF filter forbids at send time, sending nothing', async () => {
  const channel = await slackChannel();
  const strict: OutboundPolicy = { allowedCidrs: [], ...OUTBOUND_DEFAULTS };
  const refusal = sender(strict).send(notification(), 'slack', channel.id);
  await expect(refusal).rejects.toThrow(PermanentDispatchError);
  await expect(refusal).rejects.toThrow(/blocked-address/);
  expect(receiver.at(channel.path)).toEqual([]);
});

it('fails for good on a 4xx answer, and for a retry on a 5xx or 429, never naming the secret', async () => {
  const channel = await slackChannel();
  const answers = [404, 503, 429];
  receiver.route(channel.path, () => ({ status: answers.shift() ?? 200 }));
  const send = () => sender().send(notification(), 'slack', channel.id);
  await expect(send()).rejects.toThrow(PermanentDispatchError);
  for (const status of [503, 429]) {
    const retry = send();
    await expect(retry).rejects.toThrow(PublicJobError);
    await expect(retry).rejects.toThrow(`Slack answered ${status}`);
  }
  await send();
  expect(receiver.at(channel.path)).toHaveLength(4);
});

describe('through the alerts queue', () => {
  let queue: Queue;
  let bullWorker: Worker;
  let workerConnection: Redis;
  const registry = new Registry();
  const notifications = new Counter({
    name: 'tessera_alert_notifications_total',
    help: 'test',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const unused = () => Promise.reject(new Error('not a channel of this test'));

  beforeAll(async () => {
    const connection = { connection: redis, prefix: queuePrefix(prefix) };
    queue = new Queue('alerts', connection);
    const deps: AlertDispatchDeps = {
      logger: pino({ level: 'silent' }),
      mailer: { send: unused },
      recipients: { refused: unused },
      webhooks: { send: unused },
      secretChannels: sender(),
      dataSource: worker,
      notifications,
    };
    workerConnection = redis.duplicate();
    bullWorker = new Worker('alerts', (job: Job) => dispatchAlert(job, deps), {
      ...connection,
      connection: workerConnection,
    });
  });

  afterAll(async () => {
    await bullWorker?.close();
    await queue?.close();
    workerConnection?.disconnect();
  });

  const count = async (channel: string, outcome: string) =>
    (await notifications.get()).values.find(
      (value) => value.labels.channel === channel && value.labels.outcome === outcome,
    )?.value ?? 0;

  it('retries a receiver that fails, and delivers once it answers', async () => {
    const channel = await slackChannel();
    const answers = [503, 500];
    receiver.route(channel.path, () => ({ status: answers.shift() ?? 200 }));
    const job = await queue.add(
      JobName.DISPATCH_ALERT,
      notification({ channel: channel.channel }),
      alertDispatchJobOptions(5, 10),
    );
    await eventually(async () => (await job.isCompleted()) || null);
    expect(receiver.at(channel.path)).toHaveLength(3);
    expect(await count('slack', 'retry')).toBeGreaterThanOrEqual(2);
  });

  it('records a dead letter, with the reason and not the secret, when the receiver stays down', async () => {
    const down = await startWebhookReceiver();
    const path = `/services/T9/B9/${randomUUID()}`;
    const channel = await channelsOf(tenantA).create({
      kind: 'SLACK',
      name: 'gone',
      secret: `${down.origin}${path}`,
    });
    await down.close();
    const data = notification({ channel: channel.channel });
    const job = await queue.add(JobName.DISPATCH_ALERT, data, alertDispatchJobOptions(3, 10));
    await eventually(async () => (await job.isFailed()) || null);
    const [letter] = await eventually(async () => {
      const rows = await db.query<{ tenant_id: string; reason: string }>(
        `SELECT tenant_id, reason FROM jobs.dead_letters WHERE job_id = $1`,
        [job.id],
      );
      return rows.length ? rows : null;
    });
    expect(letter!.tenant_id).toBe(tenantA);
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(3);
    expect(letter!.reason).toMatch(/^Slack could not be reached \(connect-failure\)/);
    expect(letter!.reason).not.toContain(path);
    expect(await count('slack', 'dead')).toBe(1);
  });
});
