import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  announceApiKeyEndings,
  API_KEY_ENDINGS_KEPT_MS,
  apiKeyEndingsKey,
  ApiKeyEndings,
} from '../contracts/auth/api-key-endings';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import { waitFor } from '../../testing/ws-client';

// API key endings through a real Redis, as auth announces them and gateway pods mirror them:
// live by pub/sub, whole on start, the earlier of two endings, old ones forgotten.

const prefix = testRedisPrefix();
const logger = pino({ level: 'silent' });
const connections: Redis[] = [];
const lists: ApiKeyEndings[] = [];

function redis(): Redis {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(connection);
  return connection;
}

async function pod(now?: () => number): Promise<ApiKeyEndings> {
  const list = new ApiKeyEndings(redis(), redis(), prefix, logger, { now });
  await list.start();
  lists.push(list);
  return list;
}

afterAll(async () => {
  await Promise.all(lists.map((list) => list.stop()));
  connections.forEach((connection) => connection.disconnect());
  await cleanupRedisPrefix(prefix);
});

it('reaches a running pod at once, and a pod that starts later on its first read', async () => {
  const running = await pod();
  const [revoked, rotated] = [randomUUID(), randomUUID()];
  const graceEnd = new Date(Date.now() + 60_000);
  await announceApiKeyEndings(redis(), prefix, [
    { apiKeyId: revoked, endsAt: new Date() },
    { apiKeyId: rotated, endsAt: graceEnd },
  ]);
  await waitFor(() => running.hasEnded(revoked));
  expect(running.hasEnded(rotated)).toBe(false);
  expect(running.hasEnded(rotated, graceEnd.getTime())).toBe(true);

  const later = await pod();
  expect(later.hasEnded(revoked)).toBe(true);
  expect(later.timeOf(rotated)).toBe(graceEnd.getTime());
});

it('keeps the earlier of two endings: a revocation during a grace period stands', async () => {
  const list = await pod();
  const keyId = randomUUID();
  const now = Date.now();
  await announceApiKeyEndings(redis(), prefix, [{ apiKeyId: keyId, endsAt: new Date(now) }]);
  await waitFor(() => list.timeOf(keyId) !== undefined);
  // A resync of an older announcement (the grace end) arriving late changes nothing.
  await announceApiKeyEndings(redis(), prefix, [
    { apiKeyId: keyId, endsAt: new Date(now + 60_000) },
  ]);
  const marker = randomUUID();
  await announceApiKeyEndings(redis(), prefix, [{ apiKeyId: marker, endsAt: new Date(now) }]);
  await waitFor(() => list.timeOf(marker) !== undefined);
  expect(list.timeOf(keyId)).toBe(now);
});

it('forgets endings older than the time they are kept', async () => {
  const old = randomUUID();
  const long = Date.now() - API_KEY_ENDINGS_KEPT_MS - 1_000;
  const writer = redis();
  // Written straight into the set: announcing it would drop it at once.
  await writer.zadd(apiKeyEndingsKey(prefix), long, old);
  expect((await pod(() => long + 1_000)).hasEnded(old)).toBe(true);
  expect((await pod()).timeOf(old)).toBeUndefined();
  const fresh = randomUUID();
  await announceApiKeyEndings(writer, prefix, [{ apiKeyId: fresh, endsAt: new Date() }]);
  expect(await writer.zscore(apiKeyEndingsKey(prefix), old)).toBeNull();
});
