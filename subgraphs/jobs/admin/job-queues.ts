import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { ALL_QUEUES, type QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix, type RedisClient } from '../../../platform/redis/connection';

/**
 * A BullMQ Queue handle per queue Tessera runs, for the jobs admin (list, cancel, retry,
 * replay, run a purge). Queue operations need no blocking connection, so all share the
 * process's Redis client, which stays open when they close.
 */
export class JobQueues {
  readonly #queues: ReadonlyMap<QueueName, Queue>;

  constructor(connection: RedisClient, redisPrefix: string, logger: Logger) {
    this.#queues = new Map(
      ALL_QUEUES.map((name) => {
        const queue = new Queue(name, { connection, prefix: queuePrefix(redisPrefix) });
        queue.on('error', (error) => logger.warn({ err: error, queue: name }, 'queue error'));
        return [name, queue] as const;
      }),
    );
  }

  get(name: QueueName): Queue {
    return this.#queues.get(name)!;
  }

  all(): Queue[] {
    return [...this.#queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
