import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type PgToolOptions } from '../../../../platform/backup/pg-tools';
import { totalRows } from '../../../../platform/backup/row-counts';
import { dumpWithRowCounts } from '../../../../platform/backup/snapshot-dump';
import { verifyByRestore, type RestoreCheck } from '../../../../platform/backup/verify-restore';
import type { BackupMetrics } from './backup-metrics';

export interface BackupSettings extends PgToolOptions {
  dir: string;
  /** Verified backups kept (and as many unverified ones, for inspection). */
  keep: number;
}

export interface BackupResult {
  file: string;
  sizeBytes: number;
  tables: number;
  rows: number;
}

/** The dump was made but its restore check failed; it is kept as `*.unverified.dump`. */
export class BackupVerificationError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`backup ${file} failed verification: ${reason}`);
    this.name = 'BackupVerificationError';
  }
}

const VERIFIED = '.dump';
const UNVERIFIED = '.unverified.dump';
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * One backup run: dump (with the snapshot's row counts) to `<db>-<time>.partial`, restore it
 * into a scratch database and compare, then keep it as `.dump` (verified) or
 * `.unverified.dump`, and prune old ones. A dump that fails leaves no file. Every outcome is
 * in the metrics; a run that is not verified fails (the job fails, and is logged).
 */
export async function runBackup(
  settings: BackupSettings,
  metrics: BackupMetrics,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<BackupResult> {
  await mkdir(settings.dir, { recursive: true });
  const database = decodeURIComponent(new URL(settings.databaseUrl).pathname.slice(1));
  const base = join(settings.dir, `${database}-${now().toISOString().replace(/[:.]/g, '-')}`);
  const partial = `${base}.partial`;

  const dumpStarted = process.hrtime.bigint();
  const dump = await dumpWithRowCounts(partial, settings).catch(async (error: unknown) => {
    await rm(partial, { force: true });
    metrics.runs.inc({ outcome: 'failed' });
    metrics.verified.set(0);
    throw error;
  });
  metrics.duration.set({ phase: 'dump' }, seconds(dumpStarted));
  metrics.size.set(dump.sizeBytes);

  const verifyStarted = process.hrtime.bigint();
  const check: RestoreCheck = await verifyByRestore(partial, dump.counts, settings).catch(
    (error: unknown) => ({ verified: false, reason: (error as Error).message }),
  );
  metrics.duration.set({ phase: 'verify' }, seconds(verifyStarted));

  if (!check.verified) {
    await rename(partial, `${base}${UNVERIFIED}`);
    metrics.runs.inc({ outcome: 'unverified' });
    metrics.verified.set(0);
    throw new BackupVerificationError(`${base}${UNVERIFIED}`, check.reason);
  }
  const file = `${base}${VERIFIED}`;
  await rename(partial, file);
  metrics.runs.inc({ outcome: 'verified' });
  metrics.verified.set(1);
  metrics.lastSuccess.set(now().getTime() / 1000);
  const result = {
    file,
    sizeBytes: dump.sizeBytes,
    tables: check.tables,
    rows: totalRows(dump.counts),
  };
  logger.info(result, 'backup verified');
  await prune(settings.dir, settings.keep, logger);
  return result;
}

/** Backup files in `dir`, newest first. */
async function backups(dir: string, unverified: boolean) {
  const names = (await readdir(dir)).filter(
    (name) => name.endsWith(VERIFIED) && name.endsWith(UNVERIFIED) === unverified,
  );
  const files = await Promise.all(
    names.map(async (name) => ({
      path: join(dir, name),
      mtimeMs: (await stat(join(dir, name))).mtimeMs,
    })),
  );
  return files.sort((a, b) => b.mtimeMs - a.mtimeMs || b.path.localeCompare(a.path));
}

async function prune(dir: string, keep: number, logger: Logger): Promise<void> {
  for (const unverified of [false, true]) {
    for (const old of (await backups(dir, unverified)).slice(keep)) {
      await rm(old.path, { force: true });
      logger.info({ file: old.path }, 'old backup removed');
    }
  }
}

/** What a worker knows at start: the newest verified backup already in `dir`, if any. */
export async function newestVerifiedBackup(dir: string): Promise<{ mtimeMs: number } | null> {
  try {
    return (await backups(dir, false))[0] ?? null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
