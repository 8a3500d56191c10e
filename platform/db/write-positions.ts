import type { Logger } from 'pino';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { TransactionCommitEvent } from 'typeorm/subscriber/event/TransactionCommitEvent';
import { currentContext, type RequestContext } from '../context/request-context';
import { redisKey, type RedisClient } from '../redis/connection';
import { isReadOnly } from './scope-transaction';

/**
 * The newest WAL position each caller (user or API key) has written, kept in Redis so every
 * process and pod sees it: a read for that caller goes to the replica only once the replica
 * has replayed that far (read-your-writes). A position lives as long as a replica may lag
 * before it serves no reads at all; after that the lag bound alone protects the caller.
 */
export class WritePositions {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  /** Keeps the larger of the stored and the given position (ZADD GT), so writes may race. */
  async record(caller: string, lsn: bigint): Promise<void> {
    const key = this.keyOf(caller);
    await this.redis.multi().zadd(key, 'GT', lsn.toString(), 'lsn').pexpire(key, this.ttlMs).exec();
  }

  async newest(caller: string): Promise<bigint | null> {
    const score = await this.redis.zscore(this.keyOf(caller), 'lsn');
    return score === null ? null : BigInt(score);
  }

  private keyOf(caller: string): string {
    return redisKey(this.prefix, 'db-written', caller);
  }
}

/** The caller whose writes a request makes: its principal (anonymous requests have none). */
export function callerOf(context: RequestContext | undefined): string | null {
  return context?.principal ? `${context.principal.kind}:${context.principal.id}` : null;
}

/**
 * Records the caller's write position after each committed transaction that wrote something
 * on the primary. The check runs before COMMIT (a transaction id is assigned only by a write);
 * the position is read after it, so it covers the commit record the replica must replay. A
 * read-only scope's transactions write nothing and are not checked.
 */
export function recordWritePositions(
  primary: DataSource,
  positions: WritePositions,
  logger: Logger,
): void {
  const wrote = new WeakMap<QueryRunner, boolean>();
  const subscriber: EntitySubscriberInterface = {
    async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent) {
      if (isReadOnly(queryRunner) || !callerOf(currentContext())) return;
      const rows = (await queryRunner.query(
        'SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote',
      )) as { wrote: boolean }[];
      if (rows[0]?.wrote) wrote.set(queryRunner, true);
    },
    async afterTransactionCommit({ queryRunner }: TransactionCommitEvent) {
      // A savepoint's release is no commit: the outermost transaction's decides.
      if (queryRunner.isTransactionActive || !wrote.get(queryRunner)) return;
      wrote.delete(queryRunner);
      const caller = callerOf(currentContext());
      if (!caller) return;
      try {
        const rows = (await queryRunner.query(
          `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`,
        )) as { lsn: string }[];
        await positions.record(caller, BigInt(rows[0]!.lsn));
      } catch (error) {
        // The write is committed: failing the request now would invite a duplicate retry.
        logger.warn({ err: error }, 'could not record a write position for read-your-writes');
      }
    },
  };
  primary.subscribers.push(subscriber);
}
