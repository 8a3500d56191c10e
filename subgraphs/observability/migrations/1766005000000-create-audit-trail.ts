import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  grantTableToApp,
  requireRowLevelSecurityBypass,
  revokeTableFromApp,
} from '../../../platform/db/migration-helpers';

/** The chain scope of platform events, as the journal's counter names it: not a tenant. */
const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';

/**
 * The audit trail's own tables, apart from the event journal (which tenants purge at their own
 * retention). One hash chain per scope (a tenant, or the platform): each row stores
 * sha256(prev_hash || canonical row), so changing, removing or inserting a row shows.
 *
 * - `audit_entries`: append-only. The observability role may only SELECT it (under row-level
 *   security); rows arrive through observability.record_audit_entries, the retention function
 *   alone deletes, and a trigger refuses UPDATE, DELETE and TRUNCATE to everyone else, the
 *   owner included.
 * - `audit_anchors`: per scope, the last pruned row's position and hash, where verification
 *   starts once retention has removed the head of a chain.
 * - `audit_cursors`: per scope, the last journal seq read, so each event is recorded once.
 *
 * Both side tables are written by the SECURITY DEFINER functions only; no role reaches them.
 */
export class CreateAuditTrail1766005000000 implements MigrationInterface {
  name = 'CreateAuditTrail1766005000000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the audit trail functions');
    await runner.query(`
      CREATE TABLE observability.audit_entries (
        scope uuid NOT NULL,
        position bigint NOT NULL CHECK (position > 0),
        event_id uuid NOT NULL CONSTRAINT audit_entries_event_key UNIQUE,
        tenant_id uuid,
        journal_seq bigint NOT NULL,
        action text NOT NULL,
        payload jsonb NOT NULL,
        actor_kind text,
        actor_id uuid,
        request_id text,
        ip text,
        user_agent text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (scope, position),
        CHECK (scope = coalesce(tenant_id, '${PLATFORM_SCOPE}'::uuid))
      )`);
    await runner.query(
      `CREATE INDEX audit_entries_scope_action_idx
         ON observability.audit_entries (scope, action, position)`,
    );
    await runner.query(
      `CREATE INDEX audit_entries_scope_occurred_idx
         ON observability.audit_entries (scope, occurred_at)`,
    );
    await runner.query(`
      CREATE TABLE observability.audit_anchors (
        scope uuid PRIMARY KEY,
        position bigint NOT NULL CHECK (position > 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        pruned_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE observability.audit_cursors (
        scope uuid PRIMARY KEY,
        last_seq bigint NOT NULL CHECK (last_seq >= 0)
      )`);

    const visible = `tenant_id = ${CURRENT_TENANT_SQL}
                     OR (tenant_id IS NULL AND ${CURRENT_TENANT_SQL} IS NULL)`;
    await runner.query(`ALTER TABLE observability.audit_entries ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE observability.audit_entries FORCE ROW LEVEL SECURITY`);
    await runner.query(
      `CREATE POLICY tenant_isolation ON observability.audit_entries USING (${visible})`,
    );
    await grantTableToApp(runner, 'observability.audit_entries', 'SELECT');
    await revokeTableFromApp(runner, 'observability.audit_anchors');
    await revokeTableFromApp(runner, 'observability.audit_cursors');
    await this.refuseChanges(runner);
  }

  /**
   * Defence in depth beside the grants: UPDATE and TRUNCATE are refused to everyone; DELETE
   * only inside the retention function, which runs as the table owner and marks its
   * transaction. (A superuser can still disable the trigger: the hash chain shows that.)
   */
  private async refuseChanges(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION observability.refuse_audit_changes() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('observability.audit_pruning', true) = 'on'
           AND current_user = (SELECT pg_get_userbyid(c.relowner)
                                 FROM pg_class c WHERE c.oid = TG_RELID) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    await runner.query(`
      CREATE TRIGGER audit_entries_append_only
        BEFORE UPDATE OR DELETE ON observability.audit_entries
        FOR EACH ROW EXECUTE FUNCTION observability.refuse_audit_changes()`);
    await runner.query(`
      CREATE TRIGGER audit_entries_no_truncate
        BEFORE TRUNCATE ON observability.audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION observability.refuse_audit_changes()`);
    await runner.query(`REVOKE ALL ON FUNCTION observability.refuse_audit_changes() FROM PUBLIC`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE observability.audit_cursors`);
    await runner.query(`DROP TABLE observability.audit_anchors`);
    await runner.query(`DROP TABLE observability.audit_entries`);
    await runner.query(`DROP FUNCTION observability.refuse_audit_changes()`);
  }
}
