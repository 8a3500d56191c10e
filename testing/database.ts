import { Client } from 'pg';
import pino from 'pino';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { applyMigrations } from '../platform/db/migrations';
import { connect, createDataSource } from '../platform/db/data-source';
import { ensureDatabase } from '../platform/db/bootstrap';
import { type DatabaseService } from '../platform/db/roles';
import { ALL_MIGRATIONS } from '../scripts/all-migrations';
import {
  randomSuffix,
  databaseUrl,
  TEMPLATE_DATABASE,
  TEST_DATABASE_PREFIX,
  TEST_POSTGRES_URL,
} from './services';

export interface TestDatabase {
  name: string;
  /** As the schema owner (bypasses nothing: superuser in local setups). */
  ownerUrl: string;
  /** As a service's own role, what that process connects as (no BYPASSRLS, only its grants). */
  urlAs(service: DatabaseService): string;
  /** Runs SQL as the owner, for arranging rows and inspecting results (uses no `this`). */
  query: <T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ) => Promise<T[]>;
  drop(): Promise<void>;
}

export async function adminQuery<T extends Record<string, unknown> = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({
    connectionString: TEST_POSTGRES_URL,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file, cloned from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomSuffix()}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
      break;
    } catch (error) {
      // Two files cloning at the same instant can briefly see each other on the template.
      if (attempt >= 5 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
  }
  const ownerUrl = databaseUrl(name, 'owner');
  return {
    name,
    ownerUrl,
    urlAs: (service) => databaseUrl(name, service),
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => {
      const client = new Client({ connectionString: ownerUrl });
      await client.connect();
      try {
        return (await client.query<T>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** (Re)creates the migrated template that {@link createTestDatabase} clones. */
export async function prepareTemplateDatabase(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  const ownerUrl = databaseUrl(TEMPLATE_DATABASE, 'owner');
  await ensureDatabase(ownerUrl);
  await applyMigrations(ownerUrl, ALL_MIGRATIONS);
}

/**
 * A pooled data source on a test database as a service's role (its grants and row-level
 * security apply), with the entities of the repositories a test drives, if any.
 */
export async function connectAs(
  database: Pick<TestDatabase, 'name'>,
  service: DatabaseService,
  options: { poolMax?: number; name?: string; entities?: DataSourceOptions['entities'] } = {},
): Promise<DataSource> {
  return connect(
    createDataSource(
      {
        DATABASE_URL: databaseUrl(database.name, service),
        DATABASE_POOL_MAX: options.poolMax ?? 4,
        DATABASE_CONNECT_TIMEOUT_MS: 5000,
        DATABASE_IDLE_TIMEOUT_MS: 10000,
        DATABASE_STATEMENT_TIMEOUT_MS: 10000,
        DATABASE_LOG_QUERIES: false,
        DATABASE_SLOW_QUERY_MS: 1000,
      },
      {
        applicationName: options.name ?? 'tessera-test',
        entities: options.entities ?? [],
        logger: pino({ level: 'silent' }),
      },
    ),
  );
}
