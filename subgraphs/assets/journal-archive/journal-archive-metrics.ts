import { Counter, type Registry } from 'prom-client';

export interface JournalArchiveMetrics {
  archived: Counter;
  archivedEvents: Counter;
  dropped: Counter;
  failures: Counter;
}

/** The archive side of the journal's retention, as the assets process counts it. */
export function journalArchiveMetrics(registry: Registry): JournalArchiveMetrics {
  return {
    archived: new Counter({
      name: 'tessera_journal_partitions_archived_total',
      help: 'Journal month partitions written to the asset store and verified by row count.',
      registers: [registry],
    }),
    archivedEvents: new Counter({
      name: 'tessera_journal_archived_events_total',
      help: 'Journal events written to verified archives.',
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'tessera_journal_partitions_dropped_total',
      help: 'Journal month partitions detached and dropped after their archive was verified.',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'tessera_journal_archive_failures_total',
      help: 'Journal months whose archive or drop failed; they stay until the next run.',
      registers: [registry],
    }),
  };
}
