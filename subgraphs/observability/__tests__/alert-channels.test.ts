import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { platformScope, type Scope, tenantScope } from '../../../platform/db/scope';
import { OUTBOUND_DEFAULTS, type OutboundPolicy } from '../../../platform/outbound/policy';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { AlertRuleEntity } from '../entities/alert-rule.entity';
import {
  AlertChannelService,
  type AlertChannelInput,
} from '../alerts/channels/alert-channel.service';
import { AlertRuleService, type AlertRuleInput } from '../alerts/rules/alert-rule.service';

// Slack and PagerDuty alert channels against the real database as observability's role: the
// secret is encrypted at rest and never returned, a bad or private target is refused when it
// is saved, and row-level security keeps each tenant (and the platform) to its own channels,
// for reading, deleting, and naming them in a rule. Sending is in alert-channel-send.test.ts.

let db: TestDatabase;
let dataSource: DataSource;
const keyRing = KeyRing.fromConfig(
  parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
);
// Loopback is allowed as an operator's exception would allow it: the URLs here are local.
const loopback: OutboundPolicy = { allowedCidrs: ['127.0.0.0/8'], ...OUTBOUND_DEFAULTS };
const strict: OutboundPolicy = { allowedCidrs: [], ...OUTBOUND_DEFAULTS };
const tenantA = randomUUID();
const tenantB = randomUUID();
const noMail = { refused: () => Promise.reject(new Error('no rule here mails anyone')) };

const scopeOf = (tenantId: string): Scope => ({
  tenantId,
  run: (fn) => tenantScope(dataSource, tenantId).run(fn),
  lookup: (fn) => tenantScope(dataSource, tenantId).lookup(fn),
  read: (fn) => tenantScope(dataSource, tenantId).run(fn),
});
const channelsOf = (scope: Scope, policy = loopback) =>
  new AlertChannelService(scope, { keyRing, secrets: { allowHttp: true, policy } });
const rulesOf = (scope: Scope) => new AlertRuleService(scope, noMail);

const slackUrl = () => `http://127.0.0.1:9/services/T000/B000/${randomBytes(12).toString('hex')}`;
const routingKey = () => randomBytes(16).toString('hex');
const slack = (secret = slackUrl()): AlertChannelInput => ({
  kind: 'SLACK',
  name: `slack-${randomUUID().slice(0, 8)}`,
  secret,
});
const rule = (channels: string[], metric = 'tessera_journal_events_total'): AlertRuleInput => ({
  name: `rule-${randomUUID().slice(0, 8)}`,
  metric,
  comparator: '>',
  threshold: 1,
  forSeconds: 0,
  severity: 'CRITICAL',
  channels,
});

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await connectAs(db, 'observability', { entities: [AlertRuleEntity] });
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

it('stores the secret encrypted, shows it masked, and lists only the owner’s channels', async () => {
  const secret = slackUrl();
  const created = await channelsOf(scopeOf(tenantA)).create(slack(secret));
  expect(created).toMatchObject({
    kind: 'SLACK',
    target: `127.0.0.1:9/…${secret.slice(-4)}`,
    channel: `slack:${created.id}`,
  });
  const key = routingKey();
  const pager = await channelsOf(scopeOf(tenantA)).create({
    kind: 'PAGERDUTY',
    name: 'on-call',
    secret: key,
  });
  expect(pager.target).toBe(`…${key.slice(-4)}`);

  // What the table holds decrypts to the secret only with the channel's own id.
  const [row] = await db.query<{ secret_ciphertext: string }>(
    `SELECT secret_ciphertext FROM observability.alert_channels WHERE id = $1`,
    [created.id],
  );
  expect(row!.secret_ciphertext).not.toContain(secret.slice(-24));
  expect(keyRing.decrypt(row!.secret_ciphertext, created.id)).toBe(secret);
  expect(() => keyRing.decrypt(row!.secret_ciphertext, pager.id)).toThrow();

  const listed = await channelsOf(scopeOf(tenantA)).list();
  expect(listed.map((channel) => channel.id)).toEqual([created.id, pager.id]);
  expect(JSON.stringify(listed)).not.toContain(secret.slice(-24));
  expect(JSON.stringify(listed)).not.toContain(key);
  expect(await channelsOf(scopeOf(tenantB)).list()).toEqual([]);
  expect(await channelsOf(platformScope(dataSource)).list()).toEqual([]);
});

it.each([
  ['not a URL', 'hooks.slack.com/services/x', 'invalid-url'],
  ['an ftp URL', 'ftp://hooks.slack.com/services/x', 'invalid-url'],
  ['a URL with credentials', 'https://user:pw@hooks.slack.com/services/x', 'invalid-url'],
  ['an oversized URL', `https://hooks.slack.com/${'a'.repeat(3000)}`, 'invalid-url'],
])('refuses a Slack secret that is %s', async (_what, secret, reason) => {
  await expect(channelsOf(scopeOf(tenantA)).create(slack(secret))).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
    details: { field: 'secret', reason },
  });
});

it.each([
  ['loopback', 'http://127.0.0.1:8080/services/x'],
  ['a private network', 'http://10.1.2.3/services/x'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data'],
])('refuses a Slack URL on %s (SSRF) without the operator’s exception', async (_what, url) => {
  await expect(channelsOf(scopeOf(tenantA), strict).create(slack(url))).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
    details: { field: 'secret', reason: 'blocked-address' },
  });
});

it('refuses a malformed PagerDuty routing key, an unknown kind and a blank name', async () => {
  const channels = channelsOf(scopeOf(tenantA));
  for (const secret of ['short', `${routingKey()}!`, `${routingKey()}0`]) {
    await expect(channels.create({ kind: 'PAGERDUTY', name: 'pd', secret })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'secret' },
    });
  }
  await expect(
    channels.create({ kind: 'TEAMS' as 'SLACK', name: 'x', secret: slackUrl() }),
  ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'kind' } });
  await expect(channels.create({ ...slack(), name: '  ' })).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
    details: { field: 'name' },
  });
  const named = slack();
  await channels.create(named);
  await expect(channels.create({ ...named, secret: slackUrl() })).rejects.toMatchObject({
    code: 'CONFLICT',
  });
});

it('lets no other tenant, nor the platform, read, delete or send to a tenant’s channel', async () => {
  const owned = await channelsOf(scopeOf(tenantA)).create(slack());
  await expect(channelsOf(scopeOf(tenantB)).delete(owned.id)).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  // Named in another tenant's rule, or a platform rule, it reads as missing.
  await expect(rulesOf(scopeOf(tenantB)).create(rule([owned.channel]))).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
    details: { field: 'channels' },
  });
  await expect(
    rulesOf(platformScope(dataSource)).create(rule([owned.channel], 'tessera_relay_lag_seconds')),
  ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  // The kind in the rule must be the channel's.
  await expect(
    rulesOf(scopeOf(tenantA)).create(rule([`pagerduty:${owned.id}`])),
  ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  const [count] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM observability.alert_channels WHERE id = $1`,
    [owned.id],
  );
  expect(count!.count).toBe(1);
});

it('keeps a channel while a rule sends to it, and deletes it once none does', async () => {
  const channels = channelsOf(scopeOf(tenantA));
  const channel = await channels.create(slack());
  const written = await rulesOf(scopeOf(tenantA)).create(rule(['log', channel.channel]));
  expect(written.channels).toEqual(['log', channel.channel]);
  await expect(channels.delete(channel.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  await rulesOf(scopeOf(tenantA)).delete(written.id);
  expect(await channels.delete(channel.id)).toBe(true);
  await expect(channels.delete(channel.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(channels.delete('not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

it('gives the platform channels of its own, for platform rules only', async () => {
  const platform = platformScope(dataSource);
  const channel = await channelsOf(platform).create({
    kind: 'PAGERDUTY',
    name: 'platform on-call',
    secret: routingKey(),
  });
  const written = await rulesOf(platform).create(
    rule([channel.channel], 'tessera_relay_lag_seconds'),
  );
  expect(written.channels).toEqual([channel.channel]);
  await expect(rulesOf(scopeOf(tenantA)).create(rule([channel.channel]))).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
  });
  expect((await channelsOf(scopeOf(tenantA)).list()).map((c) => c.id)).not.toContain(channel.id);
});
