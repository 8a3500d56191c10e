import { Redis } from 'ioredis';
import pino from 'pino';
import { connectionOptions, createRedis, type RedisConfig } from '../redis/connection';
import { RedisScript } from '../redis/script';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { randomSuffix, TEST_REDIS_URL } from '../../testing/services';

const standalone: RedisConfig = {
  REDIS_MODE: 'standalone',
  REDIS_URL: TEST_REDIS_URL,
  REDIS_NODES: [],
  REDIS_SENTINEL_NAME: 'mymaster',
  REDIS_PREFIX: testRedisPrefix(),
  REDIS_COMMAND_TIMEOUT_MS: 1_000,
};

afterAll(() => cleanupRedisPrefix(standalone.REDIS_PREFIX));

describe('connection options', () => {
  it('auto-pipelines only where asked, and never on Cluster (ioredis routes EVALSHA by its SHA there)', () => {
    const asked = { name: 'gateway:main', autoPipelining: true };
    expect(connectionOptions(standalone, asked).enableAutoPipelining).toBe(true);
    expect(
      connectionOptions({ ...standalone, REDIS_MODE: 'sentinel' }, asked).enableAutoPipelining,
    ).toBe(true);
    expect(
      connectionOptions({ ...standalone, REDIS_MODE: 'cluster' }, asked).enableAutoPipelining,
    ).toBe(false);
    expect(connectionOptions(standalone, { name: 'x' }).enableAutoPipelining).toBe(false);
  });

  it('lets blocking connections wait out a restart, and request paths fail fast', () => {
    expect(connectionOptions(standalone, { name: 'q', blocking: true }).maxRetriesPerRequest).toBe(
      null,
    );
    expect(connectionOptions(standalone, { name: 'r' }).maxRetriesPerRequest).toBe(2);
    expect(connectionOptions(standalone, { name: 'q', blocking: true }).commandTimeout).toBe(
      undefined,
    );
    expect(connectionOptions(standalone, { name: 'r' }).commandTimeout).toBe(1_000);
  });

  it('fails a command queued while Redis is unreachable after the command timeout, not at the next flush of the offline queue', async () => {
    // Nothing listens on port 1. ioredis would fail the queued GET only after its third
    // reconnect attempt (200 + 400 + 600 ms of backoff); the 50 ms timer is due long before.
    const unreachable = new Redis('redis://127.0.0.1:1', {
      ...connectionOptions({ ...standalone, REDIS_COMMAND_TIMEOUT_MS: 50 }, { name: 'test:down' }),
      // Its socket is already closed: nothing to wait for when it is disconnected.
      disconnectTimeout: 0,
    });
    unreachable.on('error', () => undefined);
    try {
      await expect(unreachable.get('anything')).rejects.toThrow('Command timed out');
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('an auto-pipelined connection', () => {
  const redis = createRedis(standalone, pino({ level: 'silent' }), {
    name: 'test:pipelined',
    autoPipelining: true,
  });
  afterAll(() => redis.quit());

  it('sends the commands of one turn together, a script unknown to the server included', async () => {
    const key = `${standalone.REDIS_PREFIX}:pipelined`;
    await redis.set(key, 'marker');
    // A script no server has seen: its EVALSHA fails with NOSCRIPT inside the pipeline, and
    // the runner's EVAL fallback must still answer.
    const script = new RedisScript(`-- ${randomSuffix()}\nreturn redis.call('INCR', KEYS[1])`);
    const counter = `${standalone.REDIS_PREFIX}:counter`;
    const replies = Promise.all([
      script.run(redis, [counter], []),
      redis.get(key),
      script.run(redis, [counter], []),
    ]);
    // Queued in this turn, written as one batch on the next.
    expect(redis.autoPipelineQueueSize).toBeGreaterThan(0);
    const [first, marker, second] = await replies;
    expect(marker).toBe('marker');
    expect([first, second].sort()).toEqual([1, 2]);
  });
});
