import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { journalArchiveCall } from '../../../platform/contracts/assets/journal-archive';
import type { InternalClient } from '../../../platform/internal-calls/client';

const DAY_MS = 86_400_000;
/** Months kept ahead of the current one when the worker's config does not say. */
export const JOURNAL_PARTITIONS_AHEAD_DEFAULT = 3;

export interface JournalMaintenanceOptions {
  dataSource: DataSource;
  internal: InternalClient;
  logger: Logger;
  /** Month partitions kept present after the current one (JOURNAL_PARTITIONS_AHEAD). */
  monthsAhead?: number;
  /** Set after each run to the journal's partitions, the default one included. */
  partitions?: Gauge;
}

/** `tessera_journal_partitions`, which the worker sets after each events retention run. */
export function journalPartitionsGauge(registry: Registry): Gauge {
  return new Gauge({
    name: 'tessera_journal_partitions',
    help: "The event journal's partitions (months and the default), after the last retention run.",
    registers: [registry],
  });
}

/**
 * The journal's share of an events retention run, before any row is deleted: keeps the current
 * month's partition and the next `monthsAhead` present (moving any row waiting in the default
 * partition into its month), then has assets archive and drop every month that ends before the
 * longest retention of any scope, so no scope loses an event its retention keeps. Reports the
 * rows dropped; throws, naming them, when due months stayed, so the run fails and deletes no row
 * that the archive should have kept.
 */
export async function maintainJournal(
  options: JournalMaintenanceOptions,
  now: number,
  longestDays: number,
  progress: (dropped: number) => void,
): Promise<void> {
  const { dataSource, internal, logger } = options;
  const monthsAhead = options.monthsAhead ?? JOURNAL_PARTITIONS_AHEAD_DEFAULT;
  await dataSource.query(`SELECT events.create_journal_partitions($1, $2)`, [
    new Date(now),
    monthsAhead + 1,
  ]);
  const horizon = new Date(now - longestDays * DAY_MS);
  const partitions = await dataSource.query<{ name: string; ends: Date | null }[]>(
    `SELECT name, ends FROM events.journal_partitions()`,
  );
  const due = partitions.filter((partition) => partition.ends && partition.ends <= horizon);
  let stayed: string[] = [];
  if (due.length > 0) {
    const answer = await internal.call(
      journalArchiveCall,
      { before: horizon.toISOString() },
      { to: 'assets' },
    );
    for (const partition of answer.partitions) if (partition.dropped) progress(partition.rows);
    stayed = answer.partitions
      .filter((partition) => !partition.dropped)
      .map((partition) => `${partition.name} (${partition.error ?? 'not dropped'})`);
    logger.info({ horizon, due: due.length, stayed: stayed.length }, 'journal months archived');
  }
  options.partitions?.set(partitions.length - due.length + stayed.length);
  if (stayed.length > 0) throw new Error(`journal months kept: ${stayed.join('; ')}`);
}
