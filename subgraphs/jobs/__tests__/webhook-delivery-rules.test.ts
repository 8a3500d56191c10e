import { Webhook } from 'standardwebhooks';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { OUTBOUND_DEFAULTS, type OutboundPolicy } from '../../../platform/outbound/policy';
import {
  matchesEventType,
  typeSelection,
  validateEventTypeFilters,
} from '../webhooks/event-filter';
import {
  holdRecheckDelay,
  nextRetryDelay,
  parseDuration,
  parseRetryAfter,
  withJitter,
} from '../webhooks/retry-policy';
import { generateWebhookSecret, signWebhook } from '../webhooks/signature';
import { webhookWorkerConfigShape } from '../webhooks/webhook-config';
import { deliveryBody, liveSecrets } from '../webhooks/webhook-message';
import { loggedResponseBody } from '../webhooks/webhook-request';
import { validateWebhookUrl } from '../../../platform/outbound/webhook-url';

// The rules of delivery that need no process: Standard Webhooks signatures checked against
// the stock `standardwebhooks` library, retry timing, event filters, and URL vetting with the
// production policy (no exceptions), where loopback and private addresses are refused.

const productionPolicy: OutboundPolicy = { allowedCidrs: [], ...OUTBOUND_DEFAULTS };

describe('Standard Webhooks signatures', () => {
  const body = deliveryBody({
    id: '8a3b9c1e-0f5d-4f57-9a57-2f6a0e3b5c11',
    tenantId: '0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10',
    seq: '42',
    type: 'tenancy.tenant.updated',
    payload: { name: 'Acme — “Europe”', emoji: '🧩' },
    occurredAt: new Date('2026-01-02T03:04:05.678Z'),
  });

  it('makes whsec_ secrets of 32 random bytes that the library accepts', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('signs so that the standardwebhooks library verifies (unicode body included)', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'evt-1', body, secrets: [secret] });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    // The library's own signature is byte for byte the same.
    const timestamp = new Date(Number(headers['webhook-timestamp']) * 1000);
    expect(new Webhook(secret).sign('evt-1', timestamp, body)).toBe(headers['webhook-signature']);
  });

  it('signs with both secrets during a rotation, each verifying on its own', () => {
    const [fresh, old, stranger] = [1, 2, 3].map(() => generateWebhookSecret()) as [
      string,
      string,
      string,
    ];
    const headers = signWebhook({ id: 'evt-2', body, secrets: [fresh, old] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(old).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(stranger).verify(body, { ...headers })).toThrow(/No matching/);
    // A changed body or id fails.
    expect(() => new Webhook(fresh).verify(`${body} `, { ...headers })).toThrow();
    expect(() => new Webhook(fresh).verify(body, { ...headers, 'webhook-id': 'evt-3' })).toThrow();
  });

  it('puts type, timestamp, data, seq, tenantId and the event id in the body', () => {
    expect(JSON.parse(body)).toEqual({
      id: '8a3b9c1e-0f5d-4f57-9a57-2f6a0e3b5c11',
      type: 'tenancy.tenant.updated',
      timestamp: '2026-01-02T03:04:05.678Z',
      tenantId: '0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10',
      seq: '42',
      data: { name: 'Acme — “Europe”', emoji: '🧩' },
    });
  });

  it('keeps the previous secret signing only until its grace period ends', () => {
    const ring = KeyRing.fromConfig(
      parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
    );
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const endpoint = {
      id: 'c5b0b5f4-3f0e-4a39-8c59-0a3c1f7c9e21',
      secretCiphertext: ring.encrypt(current, 'c5b0b5f4-3f0e-4a39-8c59-0a3c1f7c9e21'),
      previousSecretCiphertext: ring.encrypt(previous, 'c5b0b5f4-3f0e-4a39-8c59-0a3c1f7c9e21'),
      previousSecretExpiresAt: new Date(Date.now() + 60_000),
    };
    expect(liveSecrets(ring, endpoint)).toEqual([current, previous]);
    expect(liveSecrets(ring, endpoint, new Date(Date.now() + 120_000))).toEqual([current]);
    // An envelope moved onto another endpoint does not open (aad: the endpoint id).
    expect(() => liveSecrets(ring, { ...endpoint, id: 'another' })).toThrow(/unauthentic/);
  });
});

describe('retry timing', () => {
  it('reads durations and refuses anything else', () => {
    expect(['100ms', '5s', '5m', '2h', '1d'].map(parseDuration)).toEqual([
      100, 5_000, 300_000, 7_200_000, 86_400_000,
    ]);
    for (const bad of ['5', '5 s', '-5s', '1.5h', 's', '5w']) expect(parseDuration(bad)).toBeNull();
  });

  it('parses the schedule from config, with every bad entry reported', () => {
    expect(parseConfig(webhookWorkerConfigShape, {}).WEBHOOK_RETRY_SCHEDULE).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(() =>
      parseConfig(webhookWorkerConfigShape, { WEBHOOK_RETRY_SCHEDULE: '5s,soon,8d' }),
    ).toThrow(/WEBHOOK_RETRY_SCHEDULE: entry 2[^\n]*\n.*WEBHOOK_RETRY_SCHEDULE: entry 3/s);
  });

  it('jitters each delay by at most 20 % and stops when the schedule is spent', () => {
    expect(withJitter(10_000, () => 0)).toBe(8_000);
    expect(withJitter(10_000, () => 1)).toBe(12_000);
    expect(nextRetryDelay([100, 200], 1, null, () => 0.5)).toBe(100);
    expect(nextRetryDelay([100, 200], 2, null, () => 0.5)).toBe(200);
    expect(nextRetryDelay([100, 200], 3, null)).toBeNull();
  });

  it('waits at least as long as Retry-After says, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', 60_000, now)).toBe(2_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', 60_000, now)).toBe(30_000);
    expect(parseRetryAfter('99999', 60_000, now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', 60_000, now)).toBe(0);
    for (const bad of [undefined, '', 'soon', '-1', '1.5']) {
      expect(parseRetryAfter(bad, 60_000, now)).toBeNull();
    }
    expect(nextRetryDelay([100], 1, 2_000, () => 0.5)).toBe(2_000);
    expect(nextRetryDelay([5_000], 1, 2_000, () => 0.5)).toBe(5_000);
  });

  it('looks again at a held delivery after as long as it has waited, a minute to an hour', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(holdRecheckDelay(null, now)).toBe(60_000);
    expect(holdRecheckDelay(new Date(now - 5_000), now)).toBe(60_000);
    expect(holdRecheckDelay(new Date(now - 600_000), now)).toBe(600_000);
    expect(holdRecheckDelay(new Date(now - 86_400_000), now)).toBe(3_600_000);
  });
});

describe('event type filters', () => {
  it('accepts exact types, prefixes ending in .* and *, deduplicated', () => {
    expect(
      validateEventTypeFilters(['assets.asset.created', 'tenancy.member.*', 'auth.*', '*', '*']),
    ).toEqual(['assets.asset.created', 'tenancy.member.*', 'auth.*', '*']);
  });

  it.each([
    [['asset.created'], /not an event type/],
    [['assets.asset.*x'], /not an event type/],
    [['nothing.*'], /not an event type/],
    [['jobs.webhook.delivery.failed'], /not an event type/],
    [['jobs.webhook.*'], /not an event type/],
    [[], /1 to 100/],
  ])('refuses %j', (filters, message) => {
    expect(() => validateEventTypeFilters(filters)).toThrow(message);
  });

  it('matches by type and prefix, never a delivery event', () => {
    expect(matchesEventType(['tenancy.member.*'], 'tenancy.member.joined')).toBe(true);
    expect(matchesEventType(['tenancy.member.*'], 'tenancy.members_x.joined')).toBe(false);
    expect(matchesEventType(['assets.asset.created'], 'assets.asset.deleted')).toBe(false);
    expect(matchesEventType(['*'], 'auth.user.signed_up')).toBe(true);
    expect(matchesEventType(['*'], 'jobs.webhook.delivery.failed')).toBe(false);
    expect(matchesEventType(['*'], 'jobs.webhook_endpoint.created')).toBe(true);
  });

  it('narrows a replay to the types asked for that the endpoint takes', () => {
    expect(
      typeSelection(['tenancy.*'], ['tenancy.tenant.updated', 'assets.asset.created']),
    ).toEqual({ all: false, exact: ['tenancy.tenant.updated'], prefixes: [] });
    expect(typeSelection(['*', 'auth.user.signed_up', 'tenancy.member.*'], null)).toEqual({
      all: true,
      exact: ['auth.user.signed_up'],
      prefixes: ['tenancy.member.'],
    });
  });
});

describe('webhook URLs (production policy: no exceptions)', () => {
  const valid = (url: string, allowHttp = false) =>
    validateWebhookUrl(url, { allowHttp, policy: productionPolicy });
  const publicResolver = async () => [{ address: '93.184.216.34', family: 4 }];

  it('accepts a public https URL and returns it normalized', async () => {
    await expect(
      validateWebhookUrl('https://Hooks.Example.com/a?b=1', {
        allowHttp: false,
        policy: productionPolicy,
        resolve: publicResolver,
      }),
    ).resolves.toBe('https://hooks.example.com/a?b=1');
  });

  it.each([
    ['http', 'http://hooks.example.com/', /must use https/],
    ['ftp', 'ftp://hooks.example.com/', /must use https/],
    ['credentials', 'https://user:pass@hooks.example.com/', /credentials/],
    ['a fragment', 'https://hooks.example.com/#x', /fragment/],
    ['no scheme', 'not a url', /absolute/],
    ['2049+ characters', `https://hooks.example.com/${'a'.repeat(2048)}`, /2048/],
  ])('refuses a URL with %s', async (_label, url, message) => {
    await expect(valid(url)).rejects.toThrow(message);
  });

  it.each([
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/hook',
    'https://[::1]/hook',
    'https://127.0.0.1/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://100.64.0.1/hook',
    'https://224.0.0.1/hook',
    'https://2130706433/hook',
    // A name that resolves to a loopback address (the system resolver, /etc/hosts).
    'https://localhost/hook',
  ])('refuses %s (SSRF) with BAD_USER_INPUT naming no internal address', async (url) => {
    const error = (await valid(url).catch((caught: unknown) => caught)) as {
      code: string;
      message: string;
      details: { reason: string };
    };
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details.reason).toBe('blocked-address');
    expect(error.message).toMatch(/not allowed/);
  });
});

describe('attempt log', () => {
  it('keeps the first 4 KiB of an answer, cut on a character boundary', () => {
    const body = Buffer.from(`${'a'.repeat(4095)}é${'b'.repeat(10_000)}`, 'utf8');
    const logged = loggedResponseBody(body)!;
    expect(logged).toBe('a'.repeat(4095));
    expect(loggedResponseBody(Buffer.alloc(0))).toBeNull();
    expect(loggedResponseBody(Buffer.from('ok\u0000'))).toBe('ok');
  });
});
