import 'reflect-metadata';
import { DataSource, type MigrationInterface } from 'typeorm';

export const MIGRATIONS_TABLE = 'tessera_migrations';

type MigrationClass = new () => MigrationInterface;

/**
 * A data source for the migration runner only: it connects as the schema owner and knows
 * every subgraph's migrations, applied in timestamp order and recorded in one table.
 */
export function createMigrationDataSource(url: string, migrations: MigrationClass[]): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    logging: ['error'],
    extra: { max: 1, connectionTimeoutMillis: 5_000 },
  });
}

export async function applyMigrations(
  url: string,
  migrations: MigrationClass[],
): Promise<string[]> {
  const dataSource = await createMigrationDataSource(url, migrations).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

export async function revertLastMigration(
  url: string,
  migrations: MigrationClass[],
): Promise<void> {
  const dataSource = await createMigrationDataSource(url, migrations).initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
