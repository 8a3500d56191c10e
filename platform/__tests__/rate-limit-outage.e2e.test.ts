import { Redis } from 'ioredis';
import { SlidingWindowLimiter, type RateLimitOutcome } from '../rate-limit/sliding-window';
import { startOwnedRedis, type OwnedRedis } from '../../testing/chaos/owned-redis';
import { waitFor } from '../../testing/ws-client';

// While the connection to Redis is lost, a limiter decides by its fail mode at once rather than
// queueing the command until the client gives up: an outage must not add a timeout to every
// request (the chaos suite's Redis restart measured ~1 s per limiter before).

let redis: OwnedRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startOwnedRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 2, retryStrategy: () => 500 });
});

afterAll(async () => {
  client.disconnect();
  await redis.dispose();
});

it.each(['open', 'closed'] as const)(
  'fail-%s decides without waiting for Redis once the connection is lost',
  async (failMode) => {
    const decisions: { outcome: RateLimitOutcome; error?: string }[] = [];
    const limiter = new SlidingWindowLimiter(client, {
      prefix: 'outage',
      name: `test-${failMode}`,
      limit: 5,
      windowMs: 60_000,
      failMode,
      timeoutMs: 30_000,
      onDecision: (_name, outcome, error) =>
        decisions.push({ outcome, error: error instanceof Error ? error.message : undefined }),
    });
    expect((await limiter.consume('a')).degraded).toBe(false);

    await redis.stop();
    await waitFor(() => client.status === 'reconnecting');
    // Decided by the shortcut, not by a command that failed after its retries.
    const decision = await limiter.consume('a');
    expect(decision).toMatchObject({ allowed: failMode === 'open', degraded: true });
    expect(decisions.at(-1)).toEqual({
      outcome: 'error',
      error: 'Redis connection is reconnecting',
    });

    await redis.start();
    await waitFor(() => client.status === 'ready');
    expect((await limiter.consume('b')).degraded).toBe(false);
  },
  15_000,
);
