import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisConfig {
  REDIS_MODE: 'standalone' | 'sentinel' | 'cluster';
  REDIS_URL: string;
  REDIS_NODES: string[];
  REDIS_SENTINEL_NAME: string;
  REDIS_PREFIX: string;
  REDIS_COMMAND_TIMEOUT_MS: number;
}

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** Shown in CLIENT LIST and logs, e.g. `assets:cache`. */
  name: string;
  /**
   * BullMQ workers and blocking subscribers must wait out a Redis restart rather than fail
   * commands (`maxRetriesPerRequest: null`, no command timeout); request-path clients fail
   * fast instead.
   */
  blocking?: boolean;
  /**
   * Send the commands issued in one event-loop turn as one write (ioredis auto-pipelining).
   * For request paths that issue several commands per request, and many requests at once:
   * each write is a system call, and a wake-up of Redis. Not on Cluster, where ioredis routes
   * an auto-pipelined EVALSHA by its first argument (the script's SHA) instead of its key
   * (redis/ioredis#2109).
   */
  autoPipelining?: boolean;
}

/**
 * One factory for every Redis connection, so switching between standalone, Sentinel and
 * Cluster is a configuration change, not a code change.
 */
export function createRedis(
  config: RedisConfig,
  logger: Logger,
  options: RedisConnectionOptions,
): RedisClient {
  const common = connectionOptions(config, options);
  const nodes = config.REDIS_NODES.map((node) => {
    const [host, port] = node.split(':') as [string, string];
    return { host, port: Number(port) };
  });

  let client: RedisClient;
  if (config.REDIS_MODE === 'cluster') {
    client = new Cluster(nodes, { redisOptions: common, enableReadyCheck: true });
  } else if (config.REDIS_MODE === 'sentinel') {
    client = new Redis({ ...common, sentinels: nodes, name: config.REDIS_SENTINEL_NAME });
  } else {
    client = new Redis(config.REDIS_URL, common);
  }

  // Log the transitions, not every retry, so an outage is a few lines rather than thousands.
  let healthy = true;
  client.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.warn({ err: error, redis: options.name }, 'redis connection lost');
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info({ redis: options.name }, 'redis connection restored');
  });
  return client;
}

/** The ioredis options every Tessera connection shares, whatever the topology. */
export function connectionOptions(
  config: Pick<RedisConfig, 'REDIS_MODE' | 'REDIS_COMMAND_TIMEOUT_MS'>,
  options: RedisConnectionOptions,
): RedisOptions {
  return {
    connectionName: `tessera:${options.name}`,
    maxRetriesPerRequest: options.blocking ? null : 2,
    // Through an outage ioredis queues commands and fails them only every third reconnect
    // attempt, seconds apart once its backoff has grown: a request waiting on a cache would
    // wait that long. A timeout bounds every command, queued ones included.
    commandTimeout: options.blocking ? undefined : config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5_000,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    enableAutoPipelining: (options.autoPipelining ?? false) && config.REDIS_MODE !== 'cluster',
  };
}

/** A namespaced key: every key Tessera writes starts with the configured prefix. */
export function redisKey(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join(':');
}

/**
 * BullMQ's prefix, hash-tagged so every key of a queue lands in one Cluster slot (its Lua
 * scripts touch several keys at once).
 */
export function queuePrefix(prefix: string): string {
  return `{${prefix}}`;
}

/**
 * QUIT, or a disconnect if that fails. A client that has ended already is left alone: ioredis's
 * disconnect() would arm a 2 s timer that only its (long closed) socket's next 'close' clears.
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
