import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { poolOf } from '../../../platform/db/pool-metrics';
import { DatabaseStatsRepository } from '../repositories/database-stats.repository';

export interface QueueStatsModel {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
}

export interface DatabaseStatsModel {
  poolTotal: number;
  poolIdle: number;
  poolWaiting: number;
  connections: number;
  slowQueries: number;
}

/**
 * Platform-wide views for platform administrators (the field policies refuse everyone else,
 * at the gateway and again around the resolvers): queue counts and database use.
 */
export class PlatformStatsService {
  constructor(
    private readonly queues: readonly Queue[],
    private readonly dataSource: DataSource,
    private readonly slowQueryMs: number,
  ) {}

  queueStats(): Promise<QueueStatsModel[]> {
    return Promise.all(
      this.queues.map(async (queue) => {
        const [counts, paused] = await Promise.all([
          queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
          queue.isPaused(),
        ]);
        return {
          name: queue.name,
          // Prioritized jobs wait too; BullMQ only keeps them in a list of their own.
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
          paused,
        };
      }),
    );
  }

  async databaseStats(): Promise<DatabaseStatsModel> {
    const pool = poolOf(this.dataSource);
    const stats = new DatabaseStatsRepository(this.dataSource);
    const [connections, slow] = await Promise.all([
      stats.connections(),
      stats.slowStatements(this.slowQueryMs),
    ]);
    return {
      poolTotal: pool?.totalCount ?? 0,
      poolIdle: pool?.idleCount ?? 0,
      poolWaiting: pool?.waitingCount ?? 0,
      connections,
      slowQueries: slow ?? 0,
    };
  }
}
