import { Client } from 'pg';
import { prepareTemplateDatabase } from './database';
import { removeLeftoverReplicas } from './replica';
import { TEMPLATE_PREFIX, TEST_DATABASE_PREFIX, TEST_POSTGRES_URL } from './services';

/**
 * Once per run, whichever projects run: drop databases that interrupted runs left behind, and
 * migrate this run's template, which every test file clones.
 */
export default async function globalSetup(): Promise<void> {
  const template = `${TEMPLATE_PREFIX}${process.pid}`;
  // Both projects' setups run in this one process; the second finds the template made.
  if (process.env.TESSERA_TEST_TEMPLATE === template) return;
  await dropLeftoverDatabases();
  await removeLeftoverReplicas(isAlive);
  await prepareTemplateDatabase();
  // Workers inherit the environment, so they all clone this run's template.
  process.env.TESSERA_TEST_TEMPLATE = template;
}

async function dropLeftoverDatabases(): Promise<void> {
  const client = new Client({
    connectionString: TEST_POSTGRES_URL,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const leftovers = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`${TEST_DATABASE_PREFIX}%`, `${TEMPLATE_PREFIX}%`],
    );
    for (const { datname } of leftovers.rows) {
      // Names carry the pid of the run that made them; a live run's databases stay.
      const pid = Number(/_(\d+)(?:_[0-9a-f]+)?$/.exec(datname)?.[1]);
      if (Number.isInteger(pid) && isAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
