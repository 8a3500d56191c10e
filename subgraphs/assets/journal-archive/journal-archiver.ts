import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { JournalArchiveAnswer } from '../../../platform/contracts/assets/journal-archive';
import type { BlobStore } from '../storage/blob-store';
import { fileClosed } from '../storage/file-closed';
import { archiveKey, summarizeArchive } from './journal-archive-format';
import type { JournalArchiveMetrics } from './journal-archive-metrics';
import {
  ARCHIVE_PAGE,
  JournalArchiveRepository,
  type JournalPartition,
} from './journal-archive.repository';

export interface JournalArchiverOptions {
  dataSource: DataSource;
  store: BlobStore;
  logger: Logger;
  metrics: JournalArchiveMetrics;
}

type PartitionOutcome = JournalArchiveAnswer['partitions'][number];

/**
 * Archives, then drops, every month partition of the journal that ends at or before `before`,
 * oldest first. Each month is written to a temporary file as gzip NDJSON (the S3 store needs
 * the length up front), stored under a fresh id, read back from the store, counted and its ids digested; only
 * then may the database drop the partition, which it does only if it still holds exactly that
 * many rows. A month that fails keeps its partition and loses its archive, and the next month
 * is tried all the same.
 */
export async function archiveExpiredPartitions(
  options: JournalArchiverOptions,
  before: Date,
): Promise<JournalArchiveAnswer> {
  const journal = new JournalArchiveRepository(options.dataSource);
  const due = (await journal.partitions()).filter(
    (partition) => partition.ends !== null && new Date(partition.ends) <= before,
  );
  const partitions: PartitionOutcome[] = [];
  for (const partition of due) {
    partitions.push(await archiveMonth(options, journal, partition, before));
  }
  return { partitions };
}

async function archiveMonth(
  options: JournalArchiverOptions,
  journal: JournalArchiveRepository,
  partition: JournalPartition,
  before: Date,
): Promise<PartitionOutcome> {
  const { store, logger, metrics } = options;
  const id = randomUUID();
  const directory = await mkdtemp(join(tmpdir(), 'tessera-journal-archive-'));
  const file = join(directory, `${partition.name}.ndjson.gz`);
  let written = false;
  try {
    const rows = await writeArchiveFile(journal, partition.name, file);
    const { size } = await stat(file);
    await store.write(archiveKey(id), createReadStream(file), size);
    written = true;
    const copy = await store.read(archiveKey(id));
    if (!copy) throw new Error('the archive is missing from the asset store after its write');
    const stored = await summarizeArchive(copy);
    if (stored.rows !== rows) {
      throw new Error(`the stored archive holds ${stored.rows} rows, ${rows} were written`);
    }
    metrics.archived.inc();
    metrics.archivedEvents.inc(rows);
    const archive = { id, rows, idsDigest: stored.idsDigest, sizeBytes: size };
    const dropped = await journal.drop(partition.name, archive, before);
    metrics.dropped.inc();
    logger.info(
      { partition: partition.name, archiveId: id, rows, bytes: size },
      'journal month archived and dropped',
    );
    return { name: partition.name, archiveId: id, rows: dropped, dropped: true, error: null };
  } catch (error) {
    metrics.failures.inc();
    // An archive whose partition stays would be a second copy to restore later: it goes.
    if (written) await store.delete(archiveKey(id)).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ partition: partition.name, err: error }, 'journal month not archived');
    return {
      name: partition.name,
      archiveId: null,
      rows: 0,
      dropped: false,
      error: message.slice(0, 500),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Writes the partition's rows, page by page in id order, to `file`; answers how many. */
async function writeArchiveFile(
  journal: JournalArchiveRepository,
  partition: string,
  file: string,
): Promise<number> {
  const gzip = createGzip();
  const output = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const written = pipeline(gzip, output);
  let rows = 0;
  try {
    for (let after: string | null = null; ;) {
      const page = await journal.page(partition, after);
      for (const row of page) {
        if (!gzip.write(`${JSON.stringify(row)}\n`)) await once(gzip, 'drain');
      }
      rows += page.length;
      if (page.length < ARCHIVE_PAGE) break;
      after = String(page[page.length - 1]!.id);
    }
    gzip.end();
    await written;
    return rows;
  } catch (error) {
    gzip.destroy(error as Error);
    await written.catch(() => undefined);
    // The caller removes the directory next: the file must not be created in it after that.
    await fileClosed(output);
    throw error;
  }
}
