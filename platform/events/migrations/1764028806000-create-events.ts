import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  createSharedSchema,
  grantTableToApp,
} from '../../db/migration-helpers';
import { DATABASE_SERVICES } from '../../db/roles';

/** The sequence scope of platform-level events (tenant_id NULL): the nil uuid. */
const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';

export class CreateEvents1764028806000 implements MigrationInterface {
  name = 'CreateEvents1764028806000';

  async up(runner: QueryRunner): Promise<void> {
    // Every service appends to the journal.
    await createSharedSchema(runner, 'events', DATABASE_SERVICES);
    await runner.query(`
      CREATE TABLE events.events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- NULL: a platform-level event (a sign-in before any tenant is chosen, a sign-up).
        -- The nil uuid is the platform's counter scope, so no tenant may use it.
        tenant_id uuid CHECK (tenant_id <> '${PLATFORM_SCOPE}'),
        seq bigint NOT NULL CHECK (seq > 0),
        type text NOT NULL CHECK (type ~ '^[a-z_]+(\\.[a-z_]+)+$' AND length(type) <= 128),
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        actor_kind text CHECK (actor_kind IN ('user', 'apiKey', 'system')),
        actor_id uuid,
        request_id text CHECK (length(request_id) <= 128),
        ip text CHECK (length(ip) <= 64),
        user_agent text CHECK (length(user_agent) <= 512),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        -- Users and API keys are always named; the system may act without an id.
        CHECK (CASE WHEN actor_kind IS NULL THEN actor_id IS NULL
                    WHEN actor_kind = 'system' THEN true
                    ELSE actor_id IS NOT NULL END),
        -- NULLs are distinct here, so this covers tenant events; platform events get their own.
        CONSTRAINT events_tenant_seq_key UNIQUE (tenant_id, seq)
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX events_platform_seq_key ON events.events (seq) WHERE tenant_id IS NULL`,
    );
    // The relay scans what is not yet published, per scope in seq order; published rows
    // leave this index, so it stays as small as the backlog.
    await runner.query(
      `CREATE INDEX events_unpublished_idx ON events.events (tenant_id, seq) WHERE published_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX events_tenant_occurred_idx ON events.events (tenant_id, occurred_at)`,
    );

    // One counter row per tenant (the nil uuid for platform events). Appending takes the row
    // lock of its scope's counter and keeps it until the transaction ends, so appenders of one
    // tenant are serialized: seq N+1 cannot be drawn before the transaction holding N has
    // committed (or rolled back, returning N). Seq order is therefore commit order and a
    // rolled-back append leaves no gap, which lets the relay publish each tenant's events
    // strictly in order and a subscriber resume from a seq without missing one.
    await runner.query(`
      CREATE TABLE events.sequences (
        scope uuid PRIMARY KEY,
        last_seq bigint NOT NULL CHECK (last_seq > 0)
      )`);

    // A tenant transaction sees and writes only its tenant's rows, never platform rows; a
    // transaction with no tenant sees and writes only platform rows. The NULL tenant case is
    // spelled out because "tenant_id = <unset>" is NULL, which RLS treats as false.
    await this.isolate(runner, 'events.events', 'tenant_id', 'tenant_id IS NULL');
    await this.isolate(runner, 'events.sequences', 'scope', `scope = '${PLATFORM_SCOPE}'`);

    // Append-only for the services: no UPDATE or DELETE on the journal itself.
    await grantTableToApp(runner, 'events.events', 'SELECT, INSERT', DATABASE_SERVICES);
    await grantTableToApp(runner, 'events.sequences', 'SELECT, INSERT, UPDATE', DATABASE_SERVICES);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE events.sequences`);
    await runner.query(`DROP TABLE events.events`);
    await runner.query(`DROP SCHEMA events`);
  }

  private async isolate(
    runner: QueryRunner,
    table: string,
    column: string,
    platformRow: string,
  ): Promise<void> {
    const visible = `${column} = ${CURRENT_TENANT_SQL}
                     OR (${platformRow} AND ${CURRENT_TENANT_SQL} IS NULL)`;
    await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await runner.query(
      `CREATE POLICY tenant_isolation ON ${table} USING (${visible}) WITH CHECK (${visible})`,
    );
  }
}
