import { Counter, Gauge, type Registry } from 'prom-client';

export type BackupOutcome = 'verified' | 'unverified' | 'failed';

/** The backup metrics, registered only on workers that schedule backups. */
export interface BackupMetrics {
  lastSuccess: Gauge;
  verified: Gauge;
  duration: Gauge<'phase'>;
  size: Gauge;
  runs: Counter<'outcome'>;
}

export function createBackupMetrics(registry: Registry): BackupMetrics {
  const metrics: BackupMetrics = {
    lastSuccess: new Gauge({
      name: 'tessera_backup_last_success_timestamp_seconds',
      help: 'When the newest verified backup was made (Unix time; 0: none in BACKUP_DIR).',
      registers: [registry],
    }),
    verified: new Gauge({
      name: 'tessera_backup_verified',
      help: 'Whether the last backup this worker made (or found at start) passed its restore check.',
      registers: [registry],
    }),
    duration: new Gauge({
      name: 'tessera_backup_duration_seconds',
      help: 'How long the last backup run took, by phase (dump, verify).',
      labelNames: ['phase'],
      registers: [registry],
    }),
    size: new Gauge({
      name: 'tessera_backup_size_bytes',
      help: 'Size of the last backup file.',
      registers: [registry],
    }),
    runs: new Counter({
      name: 'tessera_backup_runs_total',
      help: 'Backup runs by outcome: verified, unverified (the restore check failed) or failed.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
  // Every outcome exists from the start at 0, so the first failure is an increase alerts see.
  for (const outcome of ['verified', 'unverified', 'failed'] satisfies BackupOutcome[]) {
    metrics.runs.inc({ outcome }, 0);
  }
  return metrics;
}
