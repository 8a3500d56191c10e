import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
  revokeTableFromApp,
} from '../../db/migration-helpers';

const ROWS = 'events.journal_partition_rows(text, uuid, integer)';
const DROP =
  'events.drop_journal_partition(text, uuid, bigint, text, bigint, timestamp with time zone)';
/** The most rows one page of a partition's archive reads. */
const MAX_PAGE = 10_000;
/** A month partition's name, as add_journal_month makes it. */
const MONTH_PARTITION = `'^events_y[0-9]{4}m[0-9]{2}$'`;

/**
 * Archiving a month of the journal before retention drops it. The assets process (which owns
 * the asset store) reads the partition a page at a time through `journal_partition_rows`,
 * writes them to the store as gzip NDJSON, reads the archive back to count its rows and digest
 * their ids, and only then calls `drop_journal_partition` with both: the partition is locked
 * against writes, counted and digested again, and detached and dropped only when both agree and
 * none of its events still waits for the relay; the archive is recorded in `journal_archives`
 * in the same transaction. The digest is the sum of the first 64 bits of each id's md5 (as a
 * signed integer, summed exactly): independent of order and constant in memory, however big
 * the month. Neither function touches a partition that is not wholly before `before`,
 * nor one less than a day old, whatever the caller asks.
 */
export class AddJournalArchiveFunctions1766002001000 implements MigrationInterface {
  name = 'AddJournalArchiveFunctions1766002001000';

  async up(runner: QueryRunner): Promise<void> {
    await this.createArchiveTable(runner);
    await this.createDropPartitionFunction(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${DROP}`);
    await runner.query(`DROP FUNCTION ${ROWS}`);
    await runner.query(`DROP TABLE events.journal_archives`);
  }

  private async createArchiveTable(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the journal archive functions');
    // The archives of dropped months: what `npm run journal:restore` looks up. No tenant's rows.
    await runner.query(`
      CREATE TABLE events.journal_archives (
        -- The archive's key in the asset store, under the platform's (nil uuid) tenant segment.
        id uuid PRIMARY KEY,
        month date NOT NULL CHECK (date_trunc('month', month) = month),
        row_count bigint NOT NULL CHECK (row_count >= 0),
        size_bytes bigint NOT NULL CHECK (size_bytes > 0),
        archived_at timestamptz NOT NULL DEFAULT now(),
        restored_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX journal_archives_month_idx ON events.journal_archives (month)`,
    );
    await revokeTableFromApp(runner, 'events.journal_archives');

    await runner.query(`
      CREATE FUNCTION events.journal_partition_rows(part text, after_id uuid, max_rows integer)
      RETURNS SETOF jsonb
      LANGUAGE plpgsql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      BEGIN
        IF part !~ ${MONTH_PARTITION} OR to_regclass('events.' || part) IS NULL THEN
          RAISE EXCEPTION 'no journal partition %', part USING ERRCODE = 'undefined_table';
        END IF;
        RETURN QUERY EXECUTE format(
          'SELECT to_jsonb(e) FROM events.%I e WHERE $1 IS NULL OR e.id > $1 ORDER BY e.id LIMIT $2',
          part) USING after_id, least(greatest(coalesce(max_rows, 1), 1), ${MAX_PAGE});
      END
      $fn$`);
  }

  private async createDropPartitionFunction(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION events.drop_journal_partition(
        part text, archive uuid, archived_rows bigint, archived_ids_digest text, archive_bytes bigint,
        before timestamptz)
      RETURNS bigint
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s'
      AS $fn$
      DECLARE
        range_start timestamptz;
        range_end timestamptz;
        present bigint;
        waiting bigint;
        digest text;
      BEGIN
        SELECT p.starts, p.ends INTO range_start, range_end
          FROM events.journal_partitions() p WHERE p.name = part AND part ~ ${MONTH_PARTITION};
        IF range_end IS NULL THEN
          RAISE EXCEPTION 'no journal partition %', part USING ERRCODE = 'undefined_table';
        END IF;
        IF range_end > before OR range_end > now() - interval '1 day' THEN
          RAISE EXCEPTION 'journal partition % ends after %', part, least(before, now() - interval '1 day')
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- Writes to this month wait from here (other months' do not), so what is counted is
        -- what is dropped; the parent is locked only for the short detach below.
        EXECUTE format('LOCK TABLE events.%I IN SHARE MODE', part);
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE published_at IS NULL),
                               coalesce(sum((''x'' || left(md5(id::text), 16))::bit(64)::bigint), 0)::text
                          FROM events.%I', part)
          INTO present, waiting, digest;
        IF waiting > 0 THEN
          RAISE EXCEPTION 'journal partition % has % events the relay has not published', part, waiting
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF present <> archived_rows THEN
          RAISE EXCEPTION 'journal partition % has % rows, its archive %', part, present, archived_rows
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF digest IS DISTINCT FROM archived_ids_digest THEN
          RAISE EXCEPTION 'journal partition % holds other events than its archive', part
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        EXECUTE format('ALTER TABLE events.events DETACH PARTITION events.%I', part);
        INSERT INTO events.journal_archives (id, month, row_count, size_bytes)
        VALUES (archive, (range_start AT TIME ZONE 'UTC')::date, present, archive_bytes);
        EXECUTE format('DROP TABLE events.%I', part);
        RETURN present;
      END
      $fn$`);

    await grantFunctionToApp(runner, ROWS, ['assets']);
    await grantFunctionToApp(runner, DROP, ['assets']);
  }
}
