import {
  formatAlertChannel,
  parseAlertChannel,
} from '../../../platform/contracts/observability/alert-channels';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { parseMetricSelector } from '../alerts/alert-metrics';
import {
  alertMessage,
  holds,
  measure,
  read,
  readJournal,
  step,
} from '../alerts/evaluation/alert-state';
import { parseMetricsPage } from '../probes/metrics-scraper';
import { validateRule } from '../alerts/rules/alert-rule.service';

// The parts of alerting that need no database: what a rule may say, how a /metrics page
// reads, and how a rule moves from pending to firing to resolved.

const base = {
  name: 'r',
  metric: 'tessera_journal_events_total',
  comparator: '>',
  threshold: 1,
  forSeconds: 60,
  severity: 'WARNING' as const,
  channels: ['log'],
};

describe('validateRule', () => {
  it('normalizes name, metric matchers and channels', () => {
    expect(
      validateRule({
        ...base,
        name: ' errors ',
        metric: ' tessera_journal_events_total{type="jobs.webhook.delivery.dead"}',
        channels: [
          'LOG',
          'email:A@Example.com',
          'log',
          'webhook:0B6F8C1E-4A57-4C84-9D1E-3C1A2F9B7E10',
        ],
      }),
    ).toEqual({
      ...base,
      name: 'errors',
      metric: 'tessera_journal_events_total{type="jobs.webhook.delivery.dead"}',
      channels: ['log', 'email:a@example.com', 'webhook:0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10'],
      enabled: true,
      disabledReason: null,
    });
    expect(
      validateRule(
        { ...base, metric: 'tessera_http_requests_total{status="500",route="graphql"}' },
        'platform',
      ).metric,
    ).toBe('tessera_http_requests_total{route="graphql",status="500"}');
  });

  it.each([
    'tessera_graphql_operations_total{operation_name="Spy"}',
    'tessera_auth_attempts_total',
    'tessera_ws_connections',
  ])(
    "refuses the platform-wide %s in a tenant's rule, and takes it in the platform's",
    (metric) => {
      expect(() => validateRule({ ...base, metric })).toThrow(/platform-wide/);
      expect(validateRule({ ...base, metric }, 'platform').metric).toBe(metric);
    },
  );

  it.each([
    [{ metric: 'node_cpu_seconds_total' }],
    [{ metric: 'tessera_journal_events_total{tenant="x"}' }],
    [{ metric: 'tessera_journal_events_total{type="auth.anything"}' }],
    [{ metric: 'tessera_journal_events_total{type=auth.user.signed_up}' }],
    [{ comparator: '<>' }],
    [{ threshold: Number.NaN }],
    [{ forSeconds: 1.5 }],
    [{ forSeconds: 86_401 }],
    [{ severity: 'FATAL' }],
    [{ channels: Array.from({ length: 11 }, () => 'log') }],
    [{ channels: ['webhook:not-a-uuid'] }],
    [{ name: 'x'.repeat(101) }],
  ])('refuses %o', (overrides) => {
    expect(() => validateRule({ ...base, ...overrides } as typeof base)).toThrow(ValidationError);
  });

  it('refuses a webhook channel on a platform rule, and takes log and email there', () => {
    const webhook = 'webhook:0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10';
    expect(() => validateRule({ ...base, channels: ['log', webhook] }, 'platform')).toThrow(
      /webhook endpoints belong to tenants/,
    );
    expect(
      validateRule({ ...base, channels: ['log', 'email:Ops@Example.com'] }, 'platform').channels,
    ).toEqual(['log', 'email:ops@example.com']);
  });
});

describe('channels', () => {
  it('round-trips every kind', () => {
    for (const value of [
      'log',
      'email:ops@example.com',
      'webhook:0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10',
    ]) {
      expect(formatAlertChannel(parseAlertChannel(value))).toBe(value);
    }
  });
});

describe('parseMetricsPage', () => {
  it('reads samples with escaped label values and skips comments', () => {
    const page = [
      '# HELP tessera_x_total x',
      '# TYPE tessera_x_total counter',
      'tessera_x_total{service="a",path="say \\"hi\\", then go"} 3',
      'tessera_x_total{service="b"} 4 1700000000000',
      'tessera_y 1.5e3',
      'not a sample',
      'tessera_inf +Inf',
    ].join('\n');
    expect(parseMetricsPage(page)).toEqual([
      { name: 'tessera_x_total', labels: { service: 'a', path: 'say "hi", then go' }, value: 3 },
      { name: 'tessera_x_total', labels: { service: 'b' }, value: 4 },
      { name: 'tessera_y', labels: {}, value: 1500 },
      { name: 'tessera_inf', labels: {}, value: Infinity },
    ]);
  });
});

describe('evaluation', () => {
  const samples = parseMetricsPage(
    [
      'tessera_jobs_processed_total{service="worker",queue="a",outcome="failed"} 10',
      'tessera_jobs_processed_total{service="worker",queue="b",outcome="failed"} 5',
      'tessera_jobs_processed_total{service="worker",queue="a",outcome="completed"} 100',
      'tessera_relay_lag_seconds{service="worker"} 3',
      'tessera_relay_lag_seconds{service="worker2"} 7',
    ].join('\n'),
  );

  it('sums counters over the matching series and takes the max of lags', () => {
    expect(
      measure(
        parseMetricSelector('tessera_jobs_processed_total{outcome="failed"}', 'platform'),
        samples,
      ),
    ).toBe(15);
    expect(measure(parseMetricSelector('tessera_relay_lag_seconds', 'platform'), samples)).toBe(7);
    expect(measure(parseMetricSelector('tessera_ws_connections', 'platform'), samples)).toBeNull();
  });

  it('turns counter totals into a rate, counting a reset as a restart from zero', () => {
    const selector = parseMetricSelector('tessera_jobs_processed_total', 'platform');
    const at = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-01-01T00:00:10Z');
    expect(read(selector, 100, undefined, at)).toEqual({ value: null, sample: 100 });
    expect(read(selector, 150, { lastSample: 100, lastSampleAt: at }, later)).toEqual({
      value: 5,
      sample: 150,
    });
    expect(read(selector, 20, { lastSample: 100, lastSampleAt: at }, later)).toEqual({
      value: 2,
      sample: 20,
    });
  });

  it("turns the owner's journal positions into a rate of its events, of one type or all", async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-01-01T00:00:04Z');
    const asked: unknown[] = [];
    const count = (type: string, after: number, upTo: number) => {
      asked.push([type, after, upTo]);
      return Promise.resolve(2);
    };
    const all = parseMetricSelector('tessera_journal_events_total', 'tenant');
    const typed = parseMetricSelector(
      'tessera_journal_events_total{type="jobs.webhook.delivery.dead"}',
      'tenant',
    );
    // The first round takes the position only; a position behind the last one starts over.
    expect(await readJournal(all, 10, undefined, at, count)).toEqual({ value: null, sample: 10 });
    expect(await readJournal(all, 5, { lastSample: 10, lastSampleAt: at }, later, count)).toEqual({
      value: null,
      sample: 5,
    });
    // Positions are gapless: without a type, the events are their difference.
    expect(await readJournal(all, 30, { lastSample: 10, lastSampleAt: at }, later, count)).toEqual({
      value: 5,
      sample: 30,
    });
    expect(asked).toEqual([]);
    expect(
      await readJournal(typed, 30, { lastSample: 10, lastSampleAt: at }, later, count),
    ).toEqual({ value: 0.5, sample: 30 });
    expect(asked).toEqual([['jobs.webhook.delivery.dead', 10, 30]]);
  });

  it('compares with every comparator', () => {
    expect([holds(2, '>', 1), holds(1, '>=', 1), holds(0, '<', 1), holds(1, '<=', 1)]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([holds(1, '==', 1), holds(1, '!=', 1), holds(1, '??', 1)]).toEqual([true, false, false]);
  });

  it('fires only after the for window, resolves when it clears, and ignores missing data', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const rule = { enabled: true, forSeconds: 30 };
    let state = step({ ...rule, condition: true, open: false, pendingSince: null, now: t0 });
    expect(state).toEqual({ pendingSince: t0, transition: null });
    state = step({ ...rule, condition: true, open: false, pendingSince: t0, now: at(29) });
    expect(state.transition).toBeNull();
    state = step({ ...rule, condition: null, open: false, pendingSince: t0, now: at(30) });
    expect(state).toEqual({ pendingSince: t0, transition: null });
    state = step({ ...rule, condition: true, open: false, pendingSince: t0, now: at(30) });
    expect(state.transition).toBe('fire');
    state = step({ ...rule, condition: true, open: true, pendingSince: t0, now: at(40) });
    expect(state.transition).toBeNull();
    state = step({ ...rule, condition: false, open: true, pendingSince: t0, now: at(50) });
    expect(state).toEqual({ pendingSince: null, transition: 'resolve' });
    // A break in the condition starts the window over.
    state = step({ ...rule, condition: false, open: false, pendingSince: at(45), now: at(60) });
    expect(state).toEqual({ pendingSince: null, transition: null });
    // A disabled rule resolves what it had open.
    expect(
      step({ ...rule, enabled: false, condition: true, open: true, pendingSince: t0, now: at(70) }),
    ).toEqual({ pendingSince: null, transition: 'resolve' });
  });

  it('says what fired in words', () => {
    expect(
      alertMessage({
        ...base,
        kind: 'counter',
        value: 0.25,
        metric: 'tessera_jobs_processed_total',
      }),
    ).toBe('r: tessera_jobs_processed_total is 0.2500/s (> 1/s for 60s)');
  });
});
