import { Redis } from 'ioredis';
import pino from 'pino';
import { startServiceServer, type RunningService } from '../http/service-server';
import { createServiceMetrics, type ServiceMetrics } from '../observability/metrics';
import { dropRedis } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';

// Each /readyz records what it found per dependency in tessera_readiness_check_up, which the
// TesseraRedisDown and TesseraPostgresDown alerts read: a real Redis answers, then goes away.

let service: RunningService;
let metrics: ServiceMetrics;
let redis: Redis;

beforeEach(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 0, lazyConnect: true });
  await redis.connect();
  metrics = createServiceMetrics('readiness-metrics-test');
  service = await startServiceServer({
    name: 'readiness-metrics-test',
    host: '127.0.0.1',
    port: 0,
    shutdownGraceMs: 1_000,
    logger: pino({ level: 'silent' }),
    metrics,
    readiness: [{ name: 'redis', check: () => redis.ping() }],
    routes: {},
  });
});

afterEach(async () => {
  await service.shutdown();
  dropRedis(redis);
});

async function readyz(): Promise<number> {
  const response = await fetch(`${service.url}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

async function redisUp(): Promise<number | undefined> {
  const { values } = await metrics.readinessChecks.get();
  return values.find((value) => value.labels.check === 'redis')?.value;
}

it('reports a dependency up after a ready probe and down once it stops answering', async () => {
  expect(await redisUp()).toBeUndefined();
  expect(await readyz()).toBe(200);
  expect(await redisUp()).toBe(1);

  redis.disconnect();
  expect(await readyz()).toBe(503);
  expect(await redisUp()).toBe(0);
  expect(await metrics.registry.metrics()).toContain(
    'tessera_readiness_check_up{check="redis",service="readiness-metrics-test"} 0',
  );
});
