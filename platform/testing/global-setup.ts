import { execFileSync } from 'node:child_process';
import { applyMigrations, ensureDatabase } from '../db';
import { ALL_MIGRATIONS } from '../../scripts/all-migrations';
import { adminQuery } from './database';
import {
  databaseUrl,
  TEMPLATE_DATABASE,
  TEST_DATABASE_PREFIX,
  TEST_POSTGRES_URL,
} from './services';
import { Client } from 'pg';
import { repoRoot } from '../paths';

/**
 * Once per run: build the processes end-to-end tests spawn, and migrate the template every
 * test file clones its database from. Leftovers of an interrupted run are dropped.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot(), stdio: 'inherit' });

  const client = new Client({
    connectionString: TEST_POSTGRES_URL,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const leftovers = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of leftovers.rows)
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  const ownerUrl = databaseUrl(TEMPLATE_DATABASE, 'owner');
  await ensureDatabase(ownerUrl, databaseUrl(TEMPLATE_DATABASE, 'app'));
  await applyMigrations(ownerUrl, ALL_MIGRATIONS);
}
