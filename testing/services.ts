import { randomBytes } from 'node:crypto';
import { serviceRole, type DatabaseService } from '../platform/db/roles';

/**
 * Where tests find PostgreSQL (as a role that may create databases) and Redis. Defaults are
 * the machine's local services; TEST_POSTGRES_URL / TEST_REDIS_URL point elsewhere.
 */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * The migrated template test databases are cloned from: one per test run (the runner's pid,
 * handed to workers through the environment), so two runs on one machine never rebuild a
 * template the other is cloning.
 */
export const TEMPLATE_PREFIX = 'tessera_template_';
export const TEMPLATE_DATABASE =
  process.env.TESSERA_TEST_TEMPLATE ?? `${TEMPLATE_PREFIX}${process.pid}`;
export const TEST_DATABASE_PREFIX = 'tessera_t_';

/**
 * A URL for `database` on the test server, as the owner role or as a service's own role (what
 * that process connects as: no BYPASSRLS, only its grants).
 */
export function databaseUrl(database: string, role: 'owner' | DatabaseService): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  if (role !== 'owner') {
    url.username = serviceRole(role);
    url.password = '';
  }
  return url.toString();
}

export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}
