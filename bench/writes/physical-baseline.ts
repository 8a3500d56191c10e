import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { sendPipeline } from '../../platform/db/pipelined-query';
import { EVENTS_NOTIFY_CHANNEL } from '../../platform/events/channel';
import type { TestDatabase } from '../../testing/database';
import { sampleClosedLoop, type ClosedLoopSamples } from '../lib/closed-loop';
import type { Writer } from './writers';

/**
 * The ceiling: the transaction an `updateTenant` is underneath, sent straight from a pg pool
 * as the tenancy service's role, at the same concurrency, to the same tenants. Row-level
 * security applies (set_config, sent with BEGIN and the first statement as the service sends
 * them), the journal append goes through events.append_event (its per-tenant counter lock
 * included) and the NOTIFY wakes the relay, as the service does.
 *
 * The pool outlives every slice until `close`, so the CPU its backends used can be read before they
 * exit (a backend that has ended takes its CPU time with it).
 */
export function physicalBaseline(
  db: TestDatabase,
  writers: readonly Writer[],
): {
  slice: (timing: { durationMs: number; warmupMs: number }) => Promise<ClosedLoopSamples>;
  close: () => Promise<void>;
} {
  const pool = new Pool({ connectionString: db.urlAs('tenancy'), max: writers.length });
  return {
    slice: (timing) =>
      sampleClosedLoop({
        ...timing,
        concurrency: writers.length,
        step: async (index) => {
          const writer = writers[index]!;
          await renameInOneTransaction(pool, writer.sharedTenantId, writer.user.id);
        },
      }),
    close: () => pool.end(),
  };
}

async function renameInOneTransaction(pool: Pool, tenantId: string, userId: string) {
  const client = await pool.connect();
  try {
    // As the service opens it (platform/db/scope-transaction.ts): the opening and the setting
    // travel in one pipeline with the first statement.
    const name = `Renamed ${randomUUID().slice(0, 8)}`;
    const [, , renamed] = await sendPipeline(client, [
      { text: 'BEGIN' },
      { text: `SELECT set_config('app.tenant_id', $1, true)`, values: [tenantId] },
      {
        text: `UPDATE tenancy.tenants SET name = $2 WHERE id = $1 AND deleted_at IS NULL
               RETURNING (SELECT name FROM tenancy.tenants WHERE id = $1) AS name`,
        values: [tenantId, name],
      },
    ]);
    if (renamed!.rowCount !== 1) throw new Error(`tenant ${tenantId} not renamed`);
    await client.query(
      `SELECT a.id, pg_notify('${EVENTS_NOTIFY_CHANNEL}', $1::uuid::text)
         FROM events.append_event($1::uuid, 'tenancy.tenant.updated', $2::jsonb, 'user', $3::uuid,
                                  NULL, NULL, NULL, NULL) a`,
      [
        tenantId,
        JSON.stringify({
          tenantId,
          name,
          previousName: (renamed!.rows[0] as { name: string }).name,
        }),
        userId,
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
