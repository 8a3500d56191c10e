import { UsageAggregator } from '../usage/usage-aggregator';

const TENANT = '7f1c1d56-2c4e-4a8a-9a57-3f8f3f6d2b10';
const OTHER = '0b7a3a8e-5d0c-4a43-8f5e-1c2d3e4f5a6b';

const DAY_MS = 86_400_000;

/** A clock the test moves by hand, starting late on a UTC day. */
function clock() {
  let now = Date.parse('2026-03-01T23:59:59.000Z');
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('UsageAggregator', () => {
  it('sums per tenant and UTC day, and a drain starts afresh', () => {
    const time = clock();
    const usage = new UsageAggregator(time.now);
    usage.request(TENANT);
    usage.operation(TENANT, 'query');
    usage.responseBytes(TENANT, 120);
    usage.operation(OTHER, 'mutation');
    time.advance(1_000); // 2026-03-02
    usage.operation(TENANT, 'query');
    expect(usage.drain()).toEqual([
      expect.objectContaining({
        tenantId: TENANT,
        day: '2026-03-01',
        requests: 1,
        queries: 1,
        responseBytes: 120,
      }),
      expect.objectContaining({ tenantId: OTHER, day: '2026-03-01', mutations: 1 }),
      expect.objectContaining({ tenantId: TENANT, day: '2026-03-02', queries: 1, requests: 0 }),
    ]);
    expect(usage.drain()).toEqual([]);
  });

  it('counts in the day the clock reads, even when the clock is set back across midnight', () => {
    const time = clock();
    const usage = new UsageAggregator(time.now);
    time.advance(1_000); // 2026-03-02T00:00:00Z
    usage.request(TENANT);
    time.advance(-2_000); // 2026-03-01T23:59:58Z
    usage.request(TENANT);
    time.advance(DAY_MS * 2); // 2026-03-03
    usage.request(TENANT);
    expect(usage.drain().map(({ day, requests }) => [day, requests])).toEqual([
      ['2026-03-02', 1],
      ['2026-03-01', 1],
      ['2026-03-03', 1],
    ]);
  });

  it('keeps the peak of live subscriptions, and a new day starts with those still open', () => {
    const time = clock();
    const usage = new UsageAggregator(time.now);
    usage.subscriptionStarted(TENANT);
    usage.subscriptionStarted(TENANT);
    usage.subscriptionEnded(TENANT);
    usage.subscriptionStarted(TENANT);
    usage.subscriptionStarted(TENANT);
    usage.subscriptionEnded(TENANT);
    expect(usage.drain()).toEqual([expect.objectContaining({ peakSubscriptions: 3 })]);
    time.advance(1_000);
    usage.request(TENANT);
    expect(usage.drain()).toEqual([
      expect.objectContaining({ day: '2026-03-02', peakSubscriptions: 2, requests: 1 }),
    ]);
  });

  it('a report that failed is put back and sent with the next, added to what came since', () => {
    const usage = new UsageAggregator(clock().now);
    usage.operation(TENANT, 'query');
    usage.subscriptionStarted(TENANT);
    const failed = usage.drain();
    usage.operation(TENANT, 'query');
    usage.restore(failed);
    expect(usage.drain()).toEqual([expect.objectContaining({ queries: 2, peakSubscriptions: 1 })]);
  });
});
