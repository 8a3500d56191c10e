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
};

afterAll(() => cleanupRedisPrefix(standalone.REDIS_PREFIX));

describe('connection options', () => {
  it('auto-pipelines only where asked, and never on Cluster (ioredis routes EVALSHA by its SHA there)', () => {
    const asked = { name: 'gateway:main', autoPipelining: true };
    expect(connectionOptions({ REDIS_MODE: 'standalone' }, asked).enableAutoPipelining).toBe(true);
    expect(connectionOptions({ REDIS_MODE: 'sentinel' }, asked).enableAutoPipelining).toBe(true);
    expect(connectionOptions({ REDIS_MODE: 'cluster' }, asked).enableAutoPipelining).toBe(false);
    expect(
      connectionOptions({ REDIS_MODE: 'standalone' }, { name: 'x' }).enableAutoPipelining,
    ).toBe(false);
  });

  it('lets blocking connections wait out a restart, and request paths fail fast', () => {
    expect(connectionOptions(standalone, { name: 'q', blocking: true }).maxRetriesPerRequest).toBe(
      null,
    );
    expect(connectionOptions(standalone, { name: 'r' }).maxRetriesPerRequest).toBe(2);
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
