import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DATABASE_SERVICES, serviceRole, type DatabaseService } from './roles';

/** The database URL each process connects with, where known: passwords come from these. */
export type ServiceDatabaseUrls = Partial<Record<DatabaseService, string>>;

const DUPLICATE_CODES = new Set(['42710', '23505', '42P04']);

/**
 * Creates the database and every service's login role when missing, so `npm start` works against
 * a bare PostgreSQL; migrations then grant each role its schema. A role whose URL carries a
 * password gets it. Needs a role allowed to create databases and roles (the migration URL).
 */
export async function ensureDatabase(
  adminUrl: string,
  serviceUrls: ServiceDatabaseUrls = {},
): Promise<void> {
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
    if (exists.rowCount === 0) {
      await ignoreDuplicate(client.query(`CREATE DATABASE ${escapeIdentifier(database)}`));
    }
    for (const service of DATABASE_SERVICES) {
      const role = serviceRole(service);
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (found.rowCount === 0) {
        await ignoreDuplicate(
          client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`),
        );
      }
      const password = passwordFor(service, serviceUrls[service]);
      if (password) await client.query(`ALTER ROLE ${role} PASSWORD ${escapeLiteral(password)}`);
    }
  } finally {
    await client.end();
  }
}

function passwordFor(service: DatabaseService, url: string | undefined): string {
  if (url === undefined) return '';
  const parsed = new URL(url);
  if (decodeURIComponent(parsed.username) !== serviceRole(service)) {
    throw new Error(`the ${service} database URL must connect as ${serviceRole(service)}`);
  }
  return decodeURIComponent(parsed.password);
}

/** Several processes (test files, replicas of a job) may bootstrap one server at once. */
async function ignoreDuplicate(creation: Promise<unknown>): Promise<void> {
  try {
    await creation;
  } catch (error) {
    if (!DUPLICATE_CODES.has(String((error as { code?: unknown }).code))) throw error;
  }
}
