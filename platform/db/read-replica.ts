import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { currentContext } from '../context/request-context';
import { isReplicaFailure } from './replica-failure';
import { ReplicaLag } from './replica-lag';
import { scopedTransaction } from './scope-transaction';
import { callerOf, type WritePositions } from './write-positions';

/** Why a read that could have gone to the replica went to the primary (a bounded label set). */
export const FALLBACK_REASONS = [
  'unavailable',
  'lagging',
  'failed',
  'behind_caller',
  'position_unknown',
] as const;
type FallbackReason = (typeof FALLBACK_REASONS)[number];

export interface ReadReplicaOptions {
  primary: DataSource;
  replica: DataSource;
  positions: WritePositions;
  maxLagSeconds: number;
  registry: Registry;
  logger: Logger;
  /** How often the replica's lag is measured. */
  checkIntervalMs?: number;
  now?: () => number;
}

/** The replica has not replayed the caller's own latest write yet. */
class BehindCaller extends Error {}

/**
 * Sends reads that may lag to a streaming replica and everything else to the primary. A read
 * goes to the primary instead when the replica is unreachable, further behind than the bound,
 * fails mid-read, or has not replayed the caller's own latest write; each such read counts in
 * `tessera_db_replica_fallbacks_total{reason}`, and no caller ever sees an error for it.
 */
export class ReadReplica {
  private state: 'up' | 'down' | 'lagging' = 'down';
  private timer: NodeJS.Timeout | undefined;
  /** A check still waiting on a slow server is not joined by the next one. */
  private checking: Promise<void> | undefined;
  private stopped = false;
  private readonly lag: ReplicaLag;
  private readonly fallbacks: Counter<'reason'>;
  private readonly reads: Counter<'target'>;
  private readonly lagSeconds: Gauge;
  private readonly available: Gauge;

  constructor(private readonly options: ReadReplicaOptions) {
    this.lag = new ReplicaLag(options.now);
    const registers = [options.registry];
    this.fallbacks = new Counter({
      name: 'tessera_db_replica_fallbacks_total',
      help: 'Reads meant for the read replica that the primary served, by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of FALLBACK_REASONS) this.fallbacks.inc({ reason }, 0);
    this.reads = new Counter({
      name: 'tessera_db_routed_reads_total',
      help: 'Reads that may lag, by the server that answered them (replica or primary).',
      labelNames: ['target'],
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'tessera_db_replica_lag_seconds',
      help: 'How far the read replica replays behind the primary, as of the last check.',
      registers,
    });
    this.available = new Gauge({
      name: 'tessera_db_replica_up',
      help: '1 while the read replica answers and keeps within the lag bound, else 0.',
      registers,
    });
  }

  /** Measures the lag once now, then every interval until {@link stop}. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
    if (this.options.replica.isInitialized) await this.options.replica.destroy();
  }

  /** One lag measurement: what decides whether reads may go to the replica until the next. */
  async check(): Promise<void> {
    if (this.stopped) return;
    this.checking ??= this.measure().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
  }

  private async measure(): Promise<void> {
    const { primary, replica, maxLagSeconds, logger } = this.options;
    let primaryLsn: bigint;
    try {
      primaryLsn = await walPosition(primary, 'pg_current_wal_lsn()');
    } catch {
      // Without the primary's position there is nothing to compare; keep the last verdict.
      return;
    }
    const previous = this.state;
    try {
      if (!replica.isInitialized) await replica.initialize();
      const replayed = await walPosition(
        replica,
        'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END',
      );
      const lag = this.lag.observe(primaryLsn, replayed);
      this.lagSeconds.set(lag);
      this.state = lag > maxLagSeconds ? 'lagging' : 'up';
    } catch (error) {
      this.state = 'down';
      if (previous !== 'down') logger.warn({ err: error }, 'read replica unreachable');
    }
    this.available.set(this.state === 'up' ? 1 : 0);
    if (previous !== this.state) logger.info({ replica: this.state }, 'read replica state');
  }

  /** Runs `fn` in a read-only scope transaction on the replica when it may, else the primary. */
  async read<T>(tenantId: string | null, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.state !== 'up') {
      return this.onPrimary(this.state === 'down' ? 'unavailable' : 'lagging', tenantId, fn);
    }
    let mustReach: bigint | null = null;
    const caller = callerOf(currentContext());
    if (caller) {
      try {
        mustReach = await this.options.positions.newest(caller);
      } catch {
        return this.onPrimary('position_unknown', tenantId, fn);
      }
    }
    try {
      const result = await scopedTransaction(
        this.options.replica,
        tenantId,
        async (manager) => {
          if (mustReach !== null && !(await hasReplayed(manager, mustReach)))
            throw new BehindCaller();
          return fn(manager);
        },
        { readOnly: true },
      );
      this.reads.inc({ target: 'replica' });
      return result;
    } catch (error) {
      if (error instanceof BehindCaller) return this.onPrimary('behind_caller', tenantId, fn);
      if (!isReplicaFailure(error)) throw error;
      // Until the next check finds it back, reads skip the replica instead of failing on it.
      this.state = 'down';
      this.available.set(0);
      this.options.logger.warn({ err: error }, 'read replica failed a read; the primary answers');
      return this.onPrimary('failed', tenantId, fn);
    }
  }

  private async onPrimary<T>(
    reason: FallbackReason,
    tenantId: string | null,
    fn: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    this.fallbacks.inc({ reason });
    const result = await scopedTransaction(this.options.primary, tenantId, fn, { readOnly: true });
    this.reads.inc({ target: 'primary' });
    return result;
  }
}

async function walPosition(dataSource: DataSource, position: string): Promise<bigint> {
  const rows = await dataSource.query<
    {
      lsn: string;
    }[]
  >(`SELECT ((${position}) - '0/0'::pg_lsn)::text AS lsn`);
  return BigInt(rows[0]!.lsn);
}

async function hasReplayed(manager: EntityManager, lsn: bigint): Promise<boolean> {
  const rows = await manager.query<{ replayed: boolean }[]>(
    `SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= '0/0'::pg_lsn + $1::numeric AS replayed`,
    [lsn.toString()],
  );
  return rows[0]?.replayed === true;
}
