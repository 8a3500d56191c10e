import { Client } from 'pg';
import { loadConfig } from '../platform/config/load';
import { blobStoreConfigShape, requireS3Settings } from '../subgraphs/assets/config';
import { restoreJournalArchive } from '../subgraphs/assets/journal-archive/journal-restore';
import { createBlobStore } from '../subgraphs/assets/storage/create-blob-store';
import { migrationConfigShape } from './migrate';

// `npm run journal:restore -- <archive id | YYYY-MM>`: puts an archived month of the event
// journal back (one archive, or every archive of the month not restored yet), reading it from
// the asset store the assets process is configured with (ASSETS_STORAGE…) and writing as the
// schema owner (MIGRATION_DATABASE_URL). Runbook: docs/event-journal.md.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const restoreConfigShape = { ...migrationConfigShape, ...blobStoreConfigShape };

async function main(args: string[]): Promise<void> {
  const [which] = args;
  if (!which || !(UUID.test(which) || MONTH.test(which))) {
    throw new Error('use: journal:restore <archive id | YYYY-MM>');
  }
  const config = loadConfig(restoreConfigShape, [requireS3Settings]);
  const store = await createBlobStore(config);
  const owner = new Client({ connectionString: config.MIGRATION_DATABASE_URL });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ id: string }>(
      UUID.test(which)
        ? `SELECT id FROM events.journal_archives WHERE id = $1`
        : `SELECT id FROM events.journal_archives
            WHERE month = ($1 || '-01')::date AND restored_at IS NULL ORDER BY archived_at`,
      [which],
    );
    if (rows.length === 0) throw new Error(`no journal archive to restore for ${which}`);
    for (const { id } of rows) {
      const restored = await restoreJournalArchive(owner, store, id);
      process.stdout.write(
        `restored ${restored.rows} events of ${restored.month.slice(0, 7)} from archive ${id}\n`,
      );
    }
  } finally {
    await owner.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `journal-restore failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
