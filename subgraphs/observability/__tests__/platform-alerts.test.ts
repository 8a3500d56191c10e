import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { anonymousContext, type RequestContext } from '../../../platform/context/request-context';
import { platformScope, type Scope, tenantScope } from '../../../platform/db/scope';
import { NotFoundError } from '../../../platform/errors/domain-errors';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { AlertRuleEntity } from '../entities/alert-rule.entity';
import { MetricsScraper } from '../probes/metrics-scraper';
import { AlertEvaluator } from '../alerts/evaluation/alert-evaluator.service';
import { AlertRuleService, type AlertRuleInput } from '../alerts/rules/alert-rule.service';
import { AlertService } from '../alerts/alert.service';

// Platform alert rules against the real database as observability's role: row-level security keeps
// platform rows and tenant rows apart both ways, and the evaluator moves a platform rule from
// pending to firing to resolved on a metric this test sets, with a clock it passes in.

let db: TestDatabase;
let dataSource: DataSource;
let redis: Redis;
let queue: Queue;
const prefix = testRedisPrefix();
const tenant = randomUUID();
const adminId = randomUUID();
const registry = new Registry();
const relayLag = new Gauge({
  name: 'tessera_relay_lag_seconds',
  help: 'lag',
  registers: [registry],
});

let platform: Scope;
let ownScope: Scope;
let evaluator: AlertEvaluator;

// Every rule here mails only the platform (no tenant rule has an email channel), so the
// recipient check is never asked; the real one is attacked in alert-trust.e2e.test.ts.
const noTenantMail = {
  refused: () => Promise.reject(new Error('no tenant rule here mails anyone')),
};
const as = (scope: Scope, request: RequestContext) => ({
  rules: new AlertRuleService(scope, noTenantMail),
  alerts: new AlertService(scope, request),
});
const adminRequest: RequestContext = {
  ...anonymousContext('platform-alerts-test'),
  principal: { kind: 'user', id: adminId },
  platformAdmin: true,
};

function ruleInput(overrides: Partial<AlertRuleInput> = {}): AlertRuleInput {
  return {
    name: `rule-${randomUUID().slice(0, 8)}`,
    metric: 'tessera_relay_lag_seconds',
    comparator: '>',
    threshold: 60,
    forSeconds: 60,
    severity: 'CRITICAL',
    channels: ['log'],
    ...overrides,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await connectAs(db, 'observability', { entities: [AlertRuleEntity] });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(QueueName.ALERTS, { connection: redis, prefix: queuePrefix(prefix) });
  platform = platformScope(dataSource);
  ownScope = tenantScope(dataSource, tenant);
  evaluator = new AlertEvaluator({
    dataSource,
    scraper: new MetricsScraper([], registry, 1_000),
    // Tenancy is not running here: every tenant counts as active (the status cache is tested
    // against the real tenancy process in platform/__tests__/tenant-status.e2e.test.ts).
    tenantStatuses: {
      statusesOf: (ids) => Promise.resolve(new Map(ids.map((id) => [id, 'ACTIVE' as const]))),
    },
    queue,
    dispatchAttempts: 2,
    dispatchBackoffMs: 10,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await dataSource?.destroy();
  await cleanupRedisPrefix(prefix);
  await db?.drop();
});

describe('platform alert rules', () => {
  it("are out of every tenant's reach, and tenants' rules out of the platform's", async () => {
    const admin = as(platform, adminRequest);
    const member = as(ownScope, { ...adminRequest, tenantId: tenant, platformAdmin: false });
    const platformRule = await admin.rules.create(ruleInput({ name: 'shared name' }));
    // The same name in a tenant is another rule, not a conflict.
    const tenantRule = await member.rules.create(
      ruleInput({ name: 'shared name', metric: 'tessera_journal_events_total' }),
    );
    expect(platformRule.tenantId).toBeNull();

    expect((await member.rules.list()).map((rule) => rule.id)).toEqual([tenantRule.id]);
    expect((await admin.rules.list()).map((rule) => rule.id)).toEqual([platformRule.id]);
    const tenantInput = ruleInput({ metric: 'tessera_journal_events_total' });
    await expect(member.rules.update(platformRule.id, tenantInput)).rejects.toThrow(NotFoundError);
    await expect(member.rules.delete(platformRule.id)).rejects.toThrow(NotFoundError);
    await expect(admin.rules.update(tenantRule.id, ruleInput())).rejects.toThrow(NotFoundError);
    await expect(admin.rules.delete(tenantRule.id)).rejects.toThrow(NotFoundError);

    // Their events are the platform's and the tenant's own.
    const events = await db.query<{ tenant_id: string | null; rule: string }>(
      `SELECT tenant_id, payload->>'ruleId' AS rule FROM events.events
        WHERE type = 'observability.alert_rule.created'`,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        { tenant_id: null, rule: platformRule.id },
        { tenant_id: tenant, rule: tenantRule.id },
      ]),
    );
    await admin.rules.delete(platformRule.id);
    await member.rules.delete(tenantRule.id);
  });

  it('refuses a second platform rule with the same name', async () => {
    const admin = as(platform, adminRequest);
    await admin.rules.create(ruleInput({ name: 'twice', enabled: false }));
    await expect(
      admin.rules.create(ruleInput({ name: 'twice', enabled: false })),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('lets no tenant transaction create a platform rule, nor a platform one a tenant rule', async () => {
    const insert = (tenantId: string | null) =>
      `INSERT INTO observability.alert_rules
         (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
       VALUES (${tenantId ? `'${tenantId}'` : 'NULL'}, 'sneaky', 'tessera_relay_active', '>', 0, 0, 'INFO', '{log}')`;
    await expect(ownScope.run((manager) => manager.query(insert(null)))).rejects.toThrow(
      /row-level security/,
    );
    await expect(platform.run((manager) => manager.query(insert(tenant)))).rejects.toThrow(
      /row-level security/,
    );
  });
});

describe('platform alert evaluation', () => {
  it('fires after the for window, notifies without a tenant, and resolves when it clears', async () => {
    const admin = as(platform, adminRequest);
    const member = as(ownScope, { ...adminRequest, tenantId: tenant, platformAdmin: false });
    const rule = await admin.rules.create(
      ruleInput({ name: 'relay behind', channels: ['log', 'email:Ops@Example.com'] }),
    );
    relayLag.set(120);
    const start = Date.now();
    const at = (seconds: number) => new Date(start + seconds * 1000);

    expect(await evaluator.evaluate(at(0))).toMatchObject({ fired: 0 });
    expect(await evaluator.evaluate(at(59))).toMatchObject({ fired: 0 });
    expect(await admin.alerts.list(true)).toEqual([]);
    const round = await evaluator.evaluate(at(60));
    expect(round).toMatchObject({ fired: 1, tenants: 0 });

    const [fired] = await admin.alerts.list(true);
    expect(fired).toMatchObject({ ruleId: rule.id, tenantId: null, value: 120, resolvedAt: null });
    expect(fired!.firedAt.getTime()).toBe(at(60).getTime());
    expect(fired!.message).toContain('relay behind');

    // Nothing of it in the tenant.
    expect(await member.alerts.list(null)).toEqual([]);
    expect(await member.alerts.byId(fired!.id)).toBeNull();
    await expect(member.alerts.acknowledge(fired!.id)).rejects.toThrow(NotFoundError);

    // Its event is a platform event, and each channel got a dispatch job without a tenant.
    const events = await db.query<{ tenant_id: string | null }>(
      `SELECT tenant_id FROM events.events WHERE type = 'observability.alert.fired'
          AND payload->>'alertId' = $1`,
      [fired!.id],
    );
    expect(events).toEqual([{ tenant_id: null }]);
    const jobs = (await queue.getJobs(['waiting', 'delayed']))
      .map((job) => ({ name: job.name, data: job.data as DispatchData }))
      .filter((job) => job.data.alertId === fired!.id);
    expect(jobs.map((job) => job.name)).toEqual([JobName.DISPATCH_ALERT, JobName.DISPATCH_ALERT]);
    expect(jobs.map((job) => job.data.channel).sort()).toEqual(['email:ops@example.com', 'log']);
    expect(jobs.every((job) => job.data.tenantId === null)).toBe(true);

    const acknowledged = await admin.alerts.acknowledge(fired!.id);
    expect(acknowledged.acknowledgedBy).toBe(adminId);

    relayLag.set(0);
    expect(await evaluator.evaluate(at(70))).toMatchObject({ resolved: 1 });
    const [resolved] = await admin.alerts.list(false);
    expect(resolved).toMatchObject({ id: fired!.id });
    expect(resolved!.resolvedAt!.getTime()).toBe(at(70).getTime());
    const types = await db.query<{ type: string; tenant_id: string | null }>(
      `SELECT type, tenant_id FROM events.events WHERE payload->>'alertId' = $1 ORDER BY seq`,
      [fired!.id],
    );
    expect(types).toEqual([
      { type: 'observability.alert.fired', tenant_id: null },
      { type: 'observability.alert.acknowledged', tenant_id: null },
      { type: 'observability.alert.resolved', tenant_id: null },
    ]);
  });
});

describe('row-level security', () => {
  const platformRow: Record<string, string> = {
    alert_rules: `(tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
      VALUES (NULL, 'sneaky', 'tessera_relay_active', '>', 0, 0, 'INFO', '{log}')`,
    alerts: `(tenant_id, rule_id, severity, message) VALUES (NULL, gen_random_uuid(), 'INFO', 'x')`,
    alert_rule_states: `(rule_id, tenant_id, evaluated_at) VALUES (gen_random_uuid(), NULL, now())`,
    alert_notifications: `(tenant_id, alert_id, transition, event_id, channel)
      VALUES (NULL, gen_random_uuid(), 'fired', gen_random_uuid(), 'log')`,
  };

  it.each(Object.keys(platformRow))(
    "hides the platform's rows of %s from a tenant, and refuses it writing one",
    async (table) => {
      const [owner] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM observability.${table} WHERE tenant_id IS NULL`,
      );
      const seen = await ownScope.run((manager) =>
        manager.query(
          `SELECT count(*)::int AS n FROM observability.${table} WHERE tenant_id IS NULL`,
        ),
      );
      // The evaluation above left platform rows (notifications go once they are queued).
      if (table !== 'alert_notifications') expect(owner!.n).toBeGreaterThan(0);
      expect(seen).toEqual([{ n: 0 }]);
      await expect(
        ownScope.run((manager) =>
          manager.query(`INSERT INTO observability.${table} ${platformRow[table]}`),
        ),
      ).rejects.toThrow(/row-level security/);
    },
  );
});

/** What a DISPATCH_ALERT job carries, as far as these tests read it. */
interface DispatchData {
  alertId?: string;
  channel?: string;
  tenantId?: string | null;
}
