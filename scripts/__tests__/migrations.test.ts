import { readFileSync } from 'node:fs';
import { parse, Kind, type EnumTypeDefinitionNode } from 'graphql';
import pino from 'pino';
import { applyMigrations, revertLastMigration } from '../../platform/db/migrations';
import { connect, createDataSource } from '../../platform/db/data-source';
import { ensureDatabase } from '../../platform/db/bootstrap';
import { SUBGRAPH_NAMES, subgraphSchemaPath } from '../../platform/paths';
import { adminQuery } from '../../testing/database';
import { actualPrivileges, expectedPrivileges, SERVICE_ROLES } from '../../testing/privileges';
import { databaseUrl, randomSuffix, TEST_DATABASE_PREFIX } from '../../testing/services';
import { ALL_MIGRATIONS } from '../all-migrations';
import { authSubgraph } from '../../subgraphs/auth/subgraph';
import { tenancySubgraph } from '../../subgraphs/tenancy/subgraph';
import { assetsSubgraph } from '../../subgraphs/assets/subgraph';
import { jobsSubgraph } from '../../subgraphs/jobs/subgraph';
import { observabilitySubgraph } from '../../subgraphs/observability/subgraph';
import { USER_STATUSES } from '../../subgraphs/auth/entities/user.entity';
import { TENANT_STATUSES } from '../../subgraphs/tenancy/entities/tenant.entity';
import { ROLES } from '../../subgraphs/tenancy/entities/membership.entity';
import { ASSET_STATUSES } from '../../subgraphs/assets/entities/asset.entity';
import {
  DELIVERY_ORIGINS,
  DELIVERY_STATUSES,
} from '../../subgraphs/jobs/entities/webhook-delivery.entity';
import { WEBHOOK_STATUSES } from '../../subgraphs/jobs/entities/webhook-endpoint.entity';
import { COMPARATORS, SEVERITIES } from '../../subgraphs/observability/entities/alert-rule.entity';
import { Client } from 'pg';
import { PURGE_TARGETS } from '../../platform/contracts/jobs/purge-targets';

// Migrations against an empty database (not the template): apply all, revert all, apply again;
// then the schema they leave must agree with the entities and the GraphQL enums.

// The pid in the name tells another run's cleanup that this database is in use.
const database = `${TEST_DATABASE_PREFIX}migrations_${process.pid}_${randomSuffix()}`;
const ownerUrl = databaseUrl(database, 'owner');
const OWNED_SCHEMAS = ['assets', 'auth', 'jobs', 'observability', 'tenancy'];
const TESSERA_SCHEMAS = [...OWNED_SCHEMAS, 'events', 'mail'];
/**
 * Migrations from this timestamp on came after the previous release, whose database the
 * upgrade test rebuilds (one role, tessera_app, for every service).
 */
const RELEASED_BEFORE = 1765000000000;

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** What the role every service shared before may still do in Tessera's schemas. */
async function legacyPrivileges(): Promise<string[]> {
  const rows = await query<{ grant: string }>(
    `SELECT 'USAGE schema ' || n.nspname AS grant FROM pg_namespace n
      WHERE n.nspname = ANY($1) AND has_schema_privilege('tessera_app', n.oid, 'USAGE')
     UNION ALL
     SELECT p.privilege || ' ' || t.schemaname || '.' || t.tablename FROM pg_tables t,
            unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p (privilege)
      WHERE t.schemaname = ANY($1)
        AND has_table_privilege('tessera_app', format('%I.%I', t.schemaname, t.tablename), p.privilege)
     UNION ALL
     SELECT 'EXECUTE ' || f.oid::regprocedure::text FROM pg_proc f
       JOIN pg_namespace n ON n.oid = f.pronamespace
      WHERE n.nspname = ANY($1) AND has_function_privilege('tessera_app', f.oid, 'EXECUTE')`,
    [TESSERA_SCHEMAS],
  );
  return rows.map((row) => row.grant);
}

const ownedSchemas = async () =>
  (
    await query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname`,
      [OWNED_SCHEMAS],
    )
  ).map((row) => row.nspname);

beforeAll(() => ensureDatabase(ownerUrl));
afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

describe('migrations', () => {
  it('apply in order and are recorded', async () => {
    const applied = await applyMigrations(ownerUrl, ALL_MIGRATIONS);
    expect(applied).toEqual(
      ALL_MIGRATIONS.map((migration) => migration.name).sort((a, b) => timestamp(a) - timestamp(b)),
    );
    expect(await ownedSchemas()).toEqual(OWNED_SCHEMAS);
    expect(await applyMigrations(ownerUrl, ALL_MIGRATIONS)).toEqual([]);
  });

  it('revert one at a time down to nothing, then apply again', async () => {
    for (let remaining = ALL_MIGRATIONS.length; remaining > 0; remaining -= 1) {
      await revertLastMigration(ownerUrl, ALL_MIGRATIONS);
      const [row] = await query<{ count: string }>(`SELECT count(*) FROM tessera_migrations`);
      expect(Number(row?.count)).toBe(remaining - 1);
    }
    expect(await ownedSchemas()).toEqual([]);
    expect(await applyMigrations(ownerUrl, ALL_MIGRATIONS)).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('move a database of the previous release from tessera_app to one role per service', async () => {
    // Back to before the role migrations, as the previous release left a database: every
    // privilege with tessera_app, none with the services' roles.
    const later = ALL_MIGRATIONS.map((migration) => migration.name)
      .filter((name) => timestamp(name) >= RELEASED_BEFORE)
      .sort((a, b) => timestamp(a) - timestamp(b));
    for (let reverted = 0; reverted < later.length; reverted += 1) {
      await revertLastMigration(ownerUrl, ALL_MIGRATIONS);
    }
    const roles = SERVICE_ROLES.join(', ');
    for (const schema of TESSERA_SCHEMAS) {
      await query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${roles}`);
      await query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${schema} FROM ${roles}`);
      await query(`REVOKE ALL ON SCHEMA ${schema} FROM ${roles}`);
      await query(
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${roles}`,
      );
    }
    expect(await legacyPrivileges()).toContain('SELECT auth.users');
    expect(Object.values(await actualPrivileges(query)).flat()).toEqual(
      SERVICE_ROLES.map(() => 'USAGE schema public'),
    );

    expect(await applyMigrations(ownerUrl, ALL_MIGRATIONS)).toEqual(later);
    expect(await actualPrivileges(query)).toEqual(await expectedPrivileges(query));
    expect(await legacyPrivileges()).toEqual([]);
  });

  it('leave tables whose columns match the entities (names, types, nullability, precision)', async () => {
    const dataSource = await connect(
      createDataSource(
        {
          DATABASE_URL: ownerUrl,
          DATABASE_POOL_MAX: 1,
          DATABASE_CONNECT_TIMEOUT_MS: 5000,
          DATABASE_IDLE_TIMEOUT_MS: 10000,
          DATABASE_STATEMENT_TIMEOUT_MS: 5000,
          DATABASE_LOG_QUERIES: false,
          DATABASE_SLOW_QUERY_MS: 1000,
        },
        {
          applicationName: 'drift-test',
          entities: [
            authSubgraph,
            tenancySubgraph,
            assetsSubgraph,
            jobsSubgraph,
            observabilitySubgraph,
          ].flatMap((subgraph) => subgraph.entities as []),
          logger: pino({ level: 'silent' }),
        },
      ),
    );
    try {
      const drift: string[] = [];
      for (const entity of dataSource.entityMetadatas) {
        const table = `${entity.schema}.${entity.tableName}`;
        const columns = await query<{
          column_name: string;
          data_type: string;
          is_nullable: string;
          datetime_precision: number | null;
        }>(
          `SELECT column_name, data_type, is_nullable, datetime_precision FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = $2`,
          [entity.schema, entity.tableName],
        );
        const byName = new Map(columns.map((column) => [column.column_name, column]));
        for (const column of entity.columns) {
          const actual = byName.get(column.databaseName);
          if (!actual) {
            drift.push(`${table}.${column.databaseName}: in the entity, not in the table`);
            continue;
          }
          byName.delete(column.databaseName);
          const expectedType = column.isArray
            ? 'ARRAY'
            : (TYPE_NAMES[String(column.type)] ?? String(column.type));
          if (actual.data_type !== expectedType) {
            drift.push(
              `${table}.${column.databaseName}: entity ${expectedType}, table ${actual.data_type}`,
            );
          }
          if ((actual.is_nullable === 'YES') !== column.isNullable) {
            drift.push(
              `${table}.${column.databaseName}: nullable in ${column.isNullable ? 'entity' : 'table'} only`,
            );
          }
          if (
            actual.datetime_precision !== null &&
            actual.datetime_precision !== (column.precision ?? 6)
          ) {
            drift.push(
              `${table}.${column.databaseName}: precision ${column.precision ?? 6} vs ${actual.datetime_precision}`,
            );
          }
        }
        for (const leftover of byName.keys())
          drift.push(`${table}.${leftover}: in the table, not in the entity`);
      }
      expect(drift).toEqual([]);
      expect(dataSource.entityMetadatas).toHaveLength(18);
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([
    ['auth.users', 'status', USER_STATUSES, 'auth', 'UserStatus'],
    ['tenancy.tenants', 'status', TENANT_STATUSES, 'tenancy', 'TenantStatus'],
    ['tenancy.memberships', 'role', ROLES, 'tenancy', 'Role'],
    ['assets.assets', 'status', ASSET_STATUSES, 'assets', 'AssetStatus'],
    ['jobs.webhook_endpoints', 'status', WEBHOOK_STATUSES, 'jobs', 'WebhookStatus'],
    ['jobs.webhook_deliveries', 'status', DELIVERY_STATUSES, 'jobs', 'DeliveryStatus'],
    ['jobs.webhook_deliveries', 'origin', DELIVERY_ORIGINS, undefined, undefined],
    ['jobs.tenant_statuses', 'status', TENANT_STATUSES, undefined, undefined],
    ['observability.alert_rules', 'severity', SEVERITIES, 'observability', 'Severity'],
    ['observability.alert_rules', 'comparator', COMPARATORS, undefined, undefined],
    ['jobs.purge_runs', 'target', PURGE_TARGETS, undefined, undefined],
  ] as const)(
    '%s.%s allows the same values in CHECK, code and GraphQL',
    async (table, column, values, subgraph, enumName) => {
      const [schema, name] = table.split('.') as [string, string];
      const checks = await query<{ definition: string }>(
        `SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'c' AND n.nspname = $1 AND t.relname = $2`,
        [schema, name],
      );
      const definition = checks
        .map((check) => check.definition)
        .find((text) => text.startsWith(`CHECK ((${column} = ANY`));
      expect(definition).toBeDefined();
      const allowed = [...definition!.matchAll(/'([^']*)'::text/g)].map((match) => match[1]).sort();
      expect(allowed).toEqual([...values].sort());
      if (subgraph && enumName)
        expect(graphqlEnumValues(subgraph, enumName)).toEqual([...values].sort());
    },
  );
});

const TYPE_NAMES: Record<string, string> = {
  timestamptz: 'timestamp with time zone',
};

function timestamp(name: string): number {
  return Number(/(\d{13})$/.exec(name)?.[1]);
}

function graphqlEnumValues(subgraph: (typeof SUBGRAPH_NAMES)[number], name: string): string[] {
  const document = parse(readFileSync(subgraphSchemaPath(subgraph), 'utf8'));
  const definition = document.definitions.find(
    (node): node is EnumTypeDefinitionNode =>
      node.kind === Kind.ENUM_TYPE_DEFINITION && node.name.value === name,
  );
  return (definition?.values ?? []).map((value) => value.name.value).sort();
}
