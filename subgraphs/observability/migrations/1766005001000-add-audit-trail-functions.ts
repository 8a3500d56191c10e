import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

const PLATFORM_SCOPE = `'00000000-0000-0000-0000-000000000000'::uuid`;
/** The chain's first prev_hash. */
const GENESIS = `'\\x${'00'.repeat(32)}'::bytea`;
/** The shortest retention the platform may set: the retention function refuses less. */
export const MIN_AUDIT_RETENTION_DAYS = 30;

const ROW_HASH = `observability.audit_row_hash(bytea, uuid, bigint, uuid, bigint, text, jsonb,
  text, uuid, text, text, text, timestamptz)`;
const RECORD = 'observability.record_audit_entries(text[], integer)';
const VERIFY = 'observability.verify_audit_chain(uuid)';
const PRUNE = 'observability.prune_audit_entries(integer, integer)';
const EXPORT = 'observability.audit_export_page(uuid, timestamptz, timestamptz, bigint, integer)';

/** The chain a tenant's rows belong to, the platform's when NULL. */
const scopeOf = (tenant: string) => `coalesce(${tenant}, ${PLATFORM_SCOPE})`;

/**
 * The audit trail's functions, SECURITY DEFINER (they read across tenants and write tables no
 * role may touch), executable by the observability role only:
 *
 * - `record_audit_entries`: copies the journal's audited events past each scope's cursor into
 *   the scope's chain, in journal order, once each (the cursor, and the event id's unique key).
 *   A scope's appends are serialized by a transaction-level advisory lock, so concurrent
 *   recorders cannot fork a chain. Events up to a scope's committed counter are all committed
 *   (the counter row stays locked until its appender commits), so no event is skipped.
 * - `verify_audit_chain`: recomputes one chain from its anchor (or the genesis hash) and
 *   returns the first row whose link or position is wrong.
 * - `prune_audit_entries`: deletes the head of each chain older than the retention (never less
 *   than ${MIN_AUDIT_RETENTION_DAYS} days, whatever the caller asks), keeping the last pruned
 *   row's hash as the chain's anchor.
 * - `audit_export_page`: one chain's rows in a time range, by position, for the NDJSON export.
 */
export class AddAuditTrailFunctions1766005001000 implements MigrationInterface {
  name = 'AddAuditTrailFunctions1766005001000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the audit trail functions');
    // Canonical row: a jsonb array (its text form is deterministic), the time in UTC with
    // microseconds whatever the session's TimeZone.
    await runner.query(`
      CREATE FUNCTION ${ROW_HASH} RETURNS bytea
      LANGUAGE sql IMMUTABLE
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT sha256($1 || convert_to(jsonb_build_array(
          $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
          to_char($13 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'UTF8'))
      $fn$`);
    await this.createRecord(runner);
    await this.createVerify(runner);
    await this.createPrune(runner);
    await runner.query(`
      CREATE FUNCTION observability.audit_export_page(chain uuid, since timestamptz,
        until timestamptz, after_position bigint, max_rows integer)
      RETURNS SETOF observability.audit_entries
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT * FROM observability.audit_entries a
         WHERE a.scope = ${scopeOf('chain')} AND a.position > coalesce(after_position, 0)
           AND a.occurred_at >= since AND a.occurred_at < until
         ORDER BY a.position LIMIT least(greatest(max_rows, 1), 1000)
      $fn$`);
    await grantFunctionToApp(runner, ROW_HASH, []);
    for (const signature of [RECORD, VERIFY, PRUNE, EXPORT]) {
      await grantFunctionToApp(runner, signature, ['observability']);
    }
  }

  private async createRecord(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION observability.record_audit_entries(actions text[], max_rows integer)
      RETURNS integer
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        pending record;
        e record;
        from_seq bigint;
        head_position bigint;
        head_hash bytea;
        row_hash bytea;
        last_read bigint;
        recorded integer := 0;
        budget integer := least(greatest(coalesce(max_rows, 1), 1), 10000);
      BEGIN
        FOR pending IN
          SELECT q.scope, q.last_seq FROM events.sequences q
            LEFT JOIN observability.audit_cursors c ON c.scope = q.scope
           WHERE q.last_seq > coalesce(c.last_seq, 0)
           ORDER BY q.scope
        LOOP
          EXIT WHEN recorded >= budget;
          PERFORM pg_advisory_xact_lock(hashtext('observability.audit_chain'),
                                        hashtext(pending.scope::text));
          -- Read again under the lock: another recorder may have moved them on.
          SELECT coalesce(max(c.last_seq), 0) INTO from_seq
            FROM observability.audit_cursors c WHERE c.scope = pending.scope;
          CONTINUE WHEN from_seq >= pending.last_seq;
          SELECT a.position, a.hash INTO head_position, head_hash
            FROM observability.audit_entries a WHERE a.scope = pending.scope
           ORDER BY a.position DESC LIMIT 1;
          IF NOT FOUND THEN
            SELECT n.position, n.hash INTO head_position, head_hash
              FROM observability.audit_anchors n WHERE n.scope = pending.scope;
            IF NOT FOUND THEN
              head_position := 0;
              head_hash := ${GENESIS};
            END IF;
          END IF;
          last_read := pending.last_seq;
          FOR e IN
            SELECT x.* FROM events.events x
             WHERE (CASE WHEN pending.scope = ${PLATFORM_SCOPE} THEN x.tenant_id IS NULL
                         ELSE x.tenant_id = pending.scope END)
               AND x.type = ANY(actions)
               AND x.seq > from_seq AND x.seq <= pending.last_seq
             ORDER BY x.seq LIMIT budget - recorded + 1
          LOOP
            IF recorded >= budget THEN
              -- Out of budget: the cursor stops before this event, the next call goes on.
              last_read := e.seq - 1;
              EXIT;
            END IF;
            row_hash := observability.audit_row_hash(head_hash, pending.scope,
              head_position + 1, e.id, e.seq, e.type, e.payload, e.actor_kind, e.actor_id,
              e.request_id, e.ip, e.user_agent, e.occurred_at);
            INSERT INTO observability.audit_entries
              (scope, position, event_id, tenant_id, journal_seq, action, payload, actor_kind,
               actor_id, request_id, ip, user_agent, occurred_at, prev_hash, hash)
            VALUES (pending.scope, head_position + 1, e.id, e.tenant_id, e.seq, e.type,
                    e.payload, e.actor_kind, e.actor_id, e.request_id, e.ip, e.user_agent,
                    e.occurred_at, head_hash, row_hash)
            ON CONFLICT ON CONSTRAINT audit_entries_event_key DO NOTHING;
            IF FOUND THEN
              head_position := head_position + 1;
              head_hash := row_hash;
              recorded := recorded + 1;
            END IF;
          END LOOP;
          INSERT INTO observability.audit_cursors AS c (scope, last_seq)
          VALUES (pending.scope, last_read)
          ON CONFLICT (scope) DO UPDATE SET last_seq = greatest(c.last_seq, excluded.last_seq);
        END LOOP;
        RETURN recorded;
      END
      $fn$`);
  }

  private async createVerify(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION observability.verify_audit_chain(chain uuid)
      RETURNS TABLE (ok boolean, checked bigint, broken_position bigint,
                     broken_event_id uuid, anchor_position bigint)
      LANGUAGE plpgsql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        target uuid := ${scopeOf('chain')};
        expected_position bigint := 0;
        expected_hash bytea := ${GENESIS};
        r record;
      BEGIN
        checked := 0;
        anchor_position := NULL;
        SELECT n.position, n.hash INTO expected_position, expected_hash
          FROM observability.audit_anchors n WHERE n.scope = target;
        IF FOUND THEN
          anchor_position := expected_position;
        ELSE
          expected_position := 0;
          expected_hash := ${GENESIS};
        END IF;
        FOR r IN SELECT * FROM observability.audit_entries a
                  WHERE a.scope = target ORDER BY a.position
        LOOP
          IF r.position <> expected_position + 1 OR r.prev_hash <> expected_hash
             OR r.hash <> observability.audit_row_hash(r.prev_hash, r.scope, r.position,
                  r.event_id, r.journal_seq, r.action, r.payload, r.actor_kind, r.actor_id,
                  r.request_id, r.ip, r.user_agent, r.occurred_at) THEN
            ok := false;
            broken_position := r.position;
            broken_event_id := r.event_id;
            RETURN NEXT;
            RETURN;
          END IF;
          checked := checked + 1;
          expected_position := r.position;
          expected_hash := r.hash;
        END LOOP;
        ok := true;
        RETURN NEXT;
      END
      $fn$`);
  }

  private async createPrune(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION observability.prune_audit_entries(retention_days integer, max_rows integer)
      RETURNS integer
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        cutoff timestamptz := now() - make_interval(
          days => greatest(coalesce(retention_days, 0), ${MIN_AUDIT_RETENTION_DAYS}));
        budget integer := least(greatest(coalesce(max_rows, 1), 1), 10000);
        chain record;
        keep_from bigint;
        last_position bigint;
        last_hash bytea;
        removed integer;
        total integer := 0;
      BEGIN
        PERFORM set_config('observability.audit_pruning', 'on', true);
        FOR chain IN SELECT DISTINCT a.scope FROM observability.audit_entries a
                      WHERE a.occurred_at < cutoff ORDER BY a.scope
        LOOP
          EXIT WHEN total >= budget;
          PERFORM pg_advisory_xact_lock(hashtext('observability.audit_chain'),
                                        hashtext(chain.scope::text));
          -- Only a prefix goes, so the rest still links to the anchor: the rows before the
          -- chain's first one inside the retention, at most the budget's worth.
          SELECT min(b.position) INTO keep_from FROM observability.audit_entries b
           WHERE b.scope = chain.scope AND b.occurred_at >= cutoff;
          SELECT p.position, p.hash INTO last_position, last_hash
            FROM (SELECT a.position, a.hash FROM observability.audit_entries a
                   WHERE a.scope = chain.scope AND (keep_from IS NULL OR a.position < keep_from)
                   ORDER BY a.position LIMIT budget - total) p
           ORDER BY p.position DESC LIMIT 1;
          CONTINUE WHEN last_position IS NULL;
          DELETE FROM observability.audit_entries a
           WHERE a.scope = chain.scope AND a.position <= last_position;
          GET DIAGNOSTICS removed = ROW_COUNT;
          INSERT INTO observability.audit_anchors AS n (scope, position, hash)
          VALUES (chain.scope, last_position, last_hash)
          ON CONFLICT (scope) DO UPDATE
            SET position = excluded.position, hash = excluded.hash, pruned_at = now();
          total := total + removed;
          last_position := NULL;
        END LOOP;
        PERFORM set_config('observability.audit_pruning', 'off', true);
        RETURN total;
      END
      $fn$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const signature of [EXPORT, PRUNE, VERIFY, RECORD, ROW_HASH]) {
      await runner.query(`DROP FUNCTION ${signature}`);
    }
  }
}
