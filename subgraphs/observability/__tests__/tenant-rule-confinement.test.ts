import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import {
  ConfineTenantAlertRules1765007002000,
  PLATFORM_METRIC_DISABLED_REASON,
} from '../migrations/1765007002000-confine-tenant-alert-rules';

// The migration that confines tenant rules to their tenant's own figures, run down and up on a
// copy of the migrated database holding the rules a tenant could write before it.

let db: TestDatabase;
let owner: DataSource;
let runner: QueryRunner;
const migration = new ConfineTenantAlertRules1765007002000();
const tenant = randomUUID();

async function rules() {
  return db.query<{ name: string; enabled: boolean; disabled_reason: string | null }>(
    `SELECT name, enabled, disabled_reason FROM observability.alert_rules ORDER BY name`,
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await new DataSource({ type: 'postgres', url: db.ownerUrl }).initialize();
  runner = owner.createQueryRunner();
});

afterAll(async () => {
  await runner?.release();
  await owner?.destroy();
  await db?.drop();
});

it('disables the enabled tenant rules on platform-wide metrics with a reason, and nothing else', async () => {
  await migration.down(runner);
  await db.query(
    `INSERT INTO observability.alert_rules
       (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels, enabled)
     VALUES
       ($1, 'a spy', 'tessera_graphql_operations_total{operation_name="Spy"}', '>', 0, 0, 'INFO', '{log}', true),
       ($1, 'b own figures', 'tessera_journal_events_total{type="jobs.job.dead_lettered"}', '>', 0, 0, 'INFO', '{log}', true),
       ($1, 'c own journal', 'tessera_journal_events_total', '>', 0, 0, 'INFO', '{log}', false),
       ($1, 'd sockets', 'tessera_ws_connections', '>', 0, 0, 'INFO', '{log}', false),
       (NULL, 'e platform', 'tessera_ws_connections', '>', 0, 0, 'INFO', '{log}', true)`,
    [tenant],
  );

  await migration.up(runner);
  expect(await rules()).toEqual([
    { name: 'a spy', enabled: false, disabled_reason: PLATFORM_METRIC_DISABLED_REASON },
    { name: 'b own figures', enabled: true, disabled_reason: null },
    { name: 'c own journal', enabled: false, disabled_reason: null },
    { name: 'd sockets', enabled: false, disabled_reason: null },
    { name: 'e platform', enabled: true, disabled_reason: null },
  ]);

  // Reverted, the rules it disabled run again as before.
  await migration.down(runner);
  const reverted = await db.query<{ name: string; enabled: boolean }>(
    `SELECT name, enabled FROM observability.alert_rules ORDER BY name`,
  );
  expect(reverted.map((rule) => [rule.name, rule.enabled])).toEqual([
    ['a spy', true],
    ['b own figures', true],
    ['c own journal', false],
    ['d sockets', false],
    ['e platform', true],
  ]);
  await migration.up(runner);
});
