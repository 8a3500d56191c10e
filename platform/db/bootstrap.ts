import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { APP_ROLE } from './migration-helpers';

/**
 * Creates the database and the application role when missing, so `npm start` works against
 * a bare PostgreSQL. Needs a role allowed to create databases and roles (the migration URL).
 */
export async function ensureDatabase(adminUrl: string, appUrl: string): Promise<void> {
  const target = new URL(adminUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(adminUrl);
  maintenance.pathname = '/postgres';

  const client = new Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`);

    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (role.rowCount === 0) {
      await client.query(
        `CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
      );
    }
    const password = decodeURIComponent(new URL(appUrl).password);
    if (password) await client.query(`ALTER ROLE ${APP_ROLE} PASSWORD ${escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}
