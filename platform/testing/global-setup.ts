import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { repoRoot } from '../paths';
import { prepareTemplateDatabase } from './database';
import { TEST_DATABASE_PREFIX, TEST_POSTGRES_URL } from './services';

/**
 * Once per run: build the processes end-to-end tests spawn, drop databases an interrupted run
 * left behind, and migrate the template every test file clones its database from.
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
    for (const { datname } of leftovers.rows) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
  await prepareTemplateDatabase();
}
