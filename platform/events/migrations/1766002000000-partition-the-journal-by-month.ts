import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp, requireRowLevelSecurityBypass } from '../../db/migration-helpers';

const ADD_MONTH = 'events.add_journal_month(timestamp without time zone)';
const CREATE_PARTITIONS = 'events.create_journal_partitions(timestamp with time zone, integer)';
const LIST_PARTITIONS = 'events.journal_partitions()';
/** Months created ahead of the current one when the journal is converted. */
const MONTHS_AHEAD = 3;

/**
 * The journal becomes a table partitioned by month of `occurred_at` (UTC), so retention can
 * drop a whole month instead of deleting row by row. Partitions are `events.events_yYYYYmMM`;
 * `events.events_default` takes any row no month partition covers yet, so an append never
 * fails for lack of a partition, and `create_journal_partitions` later moves such rows into
 * their month when it creates it.
 *
 * A partitioned table's unique constraints must include the partition key, so the primary key
 * becomes (id, occurred_at) and the (tenant_id, seq) and platform seq keys become plain
 * indexes. Uniqueness still holds: seq is only ever drawn by `events.append_event` under the row
 * lock of the scope's counter in `events.sequences` (one value per draw, never reused), no
 * service may insert into the journal directly, and the archive restore refuses rows whose id
 * or (scope, seq) is already present. Ids are random v4 uuids.
 *
 * The existing table is converted with its rows, and its indexes, row-level security policies
 * and grants are carried over as the catalog has them (so changes other migrations made to
 * them survive), with the unique ones widened as above.
 */
export class PartitionTheJournalByMonth1766002000000 implements MigrationInterface {
  name = 'PartitionTheJournalByMonth1766002000000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the journal partition functions');
    // Appends wait for the swap rather than land in the table being copied.
    await runner.query(`LOCK TABLE events.events IN ACCESS EXCLUSIVE MODE`);
    await runner.query(`ALTER TABLE events.events RENAME TO events_unpartitioned`);
    const carried = await describeTable(runner, 'events_unpartitioned');

    await runner.query(`
      CREATE TABLE events.events (LIKE events.events_unpartitioned
        INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING COMMENTS)
      PARTITION BY RANGE (occurred_at)`);
    await runner.query(`ALTER TABLE events.events ADD PRIMARY KEY (id, occurred_at)`);
    await runner.query(`CREATE TABLE events.events_default PARTITION OF events.events DEFAULT`);
    await createPartitionFunctions(runner);
    await runner.query(
      `SELECT events.add_journal_month(m) FROM (
         SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS m
           FROM events.events_unpartitioned) months ORDER BY m`,
    );
    await runner.query(`SELECT events.create_journal_partitions(now(), $1)`, [MONTHS_AHEAD + 1]);
    await runner.query(`INSERT INTO events.events SELECT * FROM events.events_unpartitioned`);
    await runner.query(`DROP TABLE events.events_unpartitioned`);

    for (const index of carried.indexes) {
      if (index.primary) continue;
      // Unique keys without the partition key cannot exist on a partitioned table: see above.
      await runner.query(
        index.definition
          .replace(/^CREATE UNIQUE INDEX/, 'CREATE INDEX')
          .replace(' ON events.events_unpartitioned ', ' ON events.events '),
      );
    }
    await applySecurity(runner, 'events.events', carried);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`LOCK TABLE events.events IN ACCESS EXCLUSIVE MODE`);
    await runner.query(`ALTER TABLE events.events RENAME TO events_partitioned`);
    const carried = await describeTable(runner, 'events_partitioned');
    await runner.query(`
      CREATE TABLE events.events (LIKE events.events_partitioned
        INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING COMMENTS)`);
    await runner.query(`INSERT INTO events.events SELECT * FROM events.events_partitioned`);
    for (const signature of [LIST_PARTITIONS, CREATE_PARTITIONS, ADD_MONTH]) {
      await runner.query(`DROP FUNCTION ${signature}`);
    }
    await runner.query(`DROP TABLE events.events_partitioned`);
    await runner.query(`ALTER TABLE events.events ADD PRIMARY KEY (id)`);
    await runner.query(
      `ALTER TABLE events.events ADD CONSTRAINT events_tenant_seq_key UNIQUE (tenant_id, seq)`,
    );
    for (const index of carried.indexes) {
      if (index.primary || index.name === 'events_tenant_seq_key') continue;
      const definition = index.definition.replace(
        ' ON ONLY events.events_partitioned ',
        ' ON events.events ',
      );
      await runner.query(
        index.name === 'events_platform_seq_key'
          ? definition.replace(/^CREATE INDEX/, 'CREATE UNIQUE INDEX')
          : definition,
      );
    }
    await applySecurity(runner, 'events.events', carried);
  }
}

interface CarriedIndex {
  name: string;
  definition: string;
  primary: boolean;
}

interface CarriedTable {
  indexes: CarriedIndex[];
  /** `CREATE POLICY` statements, `%TABLE%` standing for the table. */
  policies: string[];
  rowSecurity: { enabled: boolean; forced: boolean };
  grants: { grantee: string; privileges: string }[];
}

/** What the catalog says of `events.<name>`: indexes, policies and grants, to carry over. */
async function describeTable(runner: QueryRunner, name: string): Promise<CarriedTable> {
  const table = `events.${name}`;
  const indexes = (await runner.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisprimary AS primary
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
    [table],
  )) as CarriedIndex[];
  const policies = (await runner.query(
    `SELECT format('CREATE POLICY %I ON %%TABLE%% AS %s FOR %s TO %s%s%s', policyname,
                   permissive, cmd, array_to_string(roles, ', '),
                   ' USING (' || qual || ')', ' WITH CHECK (' || with_check || ')') AS statement
       FROM pg_policies WHERE schemaname = 'events' AND tablename = $1 ORDER BY policyname`,
    [name],
  )) as { statement: string }[];
  const [rowSecurity] = (await runner.query(
    `SELECT relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class
      WHERE oid = $1::regclass`,
    [table],
  )) as { enabled: boolean; forced: boolean }[];
  const grants = (await runner.query(
    `SELECT grantee, string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges
       FROM information_schema.role_table_grants
      WHERE table_schema = 'events' AND table_name = $1 AND grantee <> current_user
      GROUP BY grantee ORDER BY grantee`,
    [name],
  )) as { grantee: string; privileges: string }[];
  return {
    indexes,
    policies: policies.map((row) => row.statement),
    rowSecurity: rowSecurity!,
    grants,
  };
}

async function applySecurity(
  runner: QueryRunner,
  table: string,
  carried: CarriedTable,
): Promise<void> {
  if (carried.rowSecurity.enabled) {
    await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  }
  if (carried.rowSecurity.forced) {
    await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  }
  for (const policy of carried.policies) {
    await runner.query(policy.replace('%TABLE%', table));
  }
  for (const { grantee, privileges } of carried.grants) {
    await runner.query(`GRANT ${privileges} ON ${table} TO ${grantee}`);
  }
}

/**
 * `add_journal_month` creates one month's partition, moving that month's rows out of the
 * default partition first (PostgreSQL refuses a new partition while the default holds rows of
 * its range); `create_journal_partitions` keeps the given month and the following ones present,
 * plus the month of every row waiting in the default partition; `journal_partitions` lists
 * them with their bounds. They run as the schema owner, who alone may change the journal's DDL.
 */
async function createPartitionFunctions(runner: QueryRunner): Promise<void> {
  await createAddMonthFunction(runner);

  await runner.query(`
    CREATE FUNCTION events.create_journal_partitions(first timestamptz, months integer)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $fn$
    DECLARE
      start_month timestamp := date_trunc('month', first AT TIME ZONE 'UTC');
      span integer := least(greatest(coalesce(months, 1), 1), 120);
      m timestamp;
      created integer := 0;
    BEGIN
      FOR m IN
        SELECT g FROM generate_series(start_month,
                                      start_month + make_interval(months => span - 1),
                                      interval '1 month') g
        UNION
        SELECT DISTINCT date_trunc('month', d.occurred_at AT TIME ZONE 'UTC')
          FROM events.events_default d
        ORDER BY 1
      LOOP
        IF events.add_journal_month(m) THEN
          created := created + 1;
        END IF;
      END LOOP;
      RETURN created;
    END
    $fn$`);

  await runner.query(`
    CREATE FUNCTION events.journal_partitions()
    RETURNS TABLE (name text, starts timestamptz, ends timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $fn$
      SELECT c.relname::text, bounds[1]::timestamptz, bounds[2]::timestamptz
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                        'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') bounds
       WHERE i.inhparent = 'events.events'::regclass
       ORDER BY 2 NULLS FIRST
    $fn$`);

  await grantFunctionToApp(runner, ADD_MONTH, []);
  await grantFunctionToApp(runner, CREATE_PARTITIONS, ['worker']);
  await grantFunctionToApp(runner, LIST_PARTITIONS, ['worker', 'assets']);
}

/** `add_journal_month`: see createPartitionFunctions. */
async function createAddMonthFunction(runner: QueryRunner): Promise<void> {
  await runner.query(`
    CREATE FUNCTION events.add_journal_month(month_start timestamp) RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $fn$
    DECLARE
      first_day timestamp := date_trunc('month', month_start);
      lo timestamptz := first_day AT TIME ZONE 'UTC';
      hi timestamptz := (first_day + interval '1 month') AT TIME ZONE 'UTC';
      part text := 'events_' || to_char(first_day, '"y"YYYY"m"MM');
    BEGIN
      IF to_regclass('events.' || quote_ident(part)) IS NOT NULL THEN
        RETURN false;
      END IF;
      -- Appends routed to the default partition wait until the month is attached, so none
      -- lands in its range between the move and the attach; a concurrent run waits here too.
      LOCK TABLE events.events_default IN SHARE ROW EXCLUSIVE MODE;
      IF to_regclass('events.' || quote_ident(part)) IS NOT NULL THEN
        RETURN false;
      END IF;
      EXECUTE format('CREATE TABLE events.%I (LIKE events.events
                        INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)', part);
      EXECUTE format('WITH moved AS (
                        DELETE FROM events.events_default d
                         WHERE d.occurred_at >= $1 AND d.occurred_at < $2 RETURNING d.*)
                      INSERT INTO events.%I SELECT * FROM moved', part) USING lo, hi;
      EXECUTE format('ALTER TABLE events.events ATTACH PARTITION events.%I
                        FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      RETURN true;
    END
    $fn$`);
}
