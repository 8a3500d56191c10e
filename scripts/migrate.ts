import { z } from 'zod';
import { loadConfig, url } from '../platform/config';
import { applyMigrations, ensureDatabase, revertLastMigration } from '../platform/db';
import { ALL_MIGRATIONS } from './all-migrations';

// `node dist/scripts/migrate.js up|revert`: applies every pending migration, or reverts the
// last one. Connects as the schema owner; the services connect as tessera_app.
export const migrationConfigShape = {
  MIGRATION_DATABASE_URL: url(
    ['postgres', 'postgresql'],
    'postgres://postgres@127.0.0.1:5432/tessera',
  ),
  DATABASE_URL: url(['postgres', 'postgresql'], 'postgres://tessera_app@127.0.0.1:5432/tessera'),
};

async function main(command: string): Promise<void> {
  const config = loadConfig(migrationConfigShape);
  if (command === 'up') {
    await ensureDatabase(config.MIGRATION_DATABASE_URL, config.DATABASE_URL);
    const applied = await applyMigrations(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  } else if (command === 'revert') {
    await revertLastMigration(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
    process.stdout.write('reverted the last migration\n');
  } else {
    throw new Error(`unknown command "${command}": use up or revert`);
  }
}

if (require.main === module) {
  const command = z.enum(['up', 'revert']).safeParse(process.argv[2] ?? 'up');
  main(command.success ? command.data : String(process.argv[2])).catch((error: unknown) => {
    process.stderr.write(
      `migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
