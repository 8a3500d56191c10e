import { DATABASE_SERVICES, serviceRole, type DatabaseService } from '../platform/db/roles';

/**
 * The privilege matrix of the services' database roles: what each may do, written out, and what
 * the catalog says it may do. The expected side is the test oracle, kept apart from the
 * migrations that grant, so a grant that widens any role's access fails a test.
 */

/** Runs SQL as the owner and returns the rows: a TestDatabase's `query`. */
export type OwnerQuery = <T extends Record<string, unknown>>(
  sql: string,
  params?: unknown[],
) => Promise<T[]>;

export const CRUD = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const APPEND = 'events.append_event(uuid,text,jsonb,text,uuid,text,text,text,text)';

/** Every table of its own schema: CRUD, unless narrowed below. */
const OWN_SCHEMA: Record<DatabaseService, string> = {
  auth: 'auth',
  tenancy: 'tenancy',
  assets: 'assets',
  jobs: 'jobs',
  observability: 'observability',
  worker: 'jobs',
};
const NARROWED: Record<string, string[]> = {
  'jobs.purge_runs': ['SELECT', 'INSERT', 'UPDATE'],
  // The audit trail is append-only, written by its functions: the role only reads its rows.
  'observability.audit_entries': ['SELECT'],
  'observability.audit_anchors': [],
  'observability.audit_cursors': [],
};

/** Beyond its own schema's tables (and PostgreSQL's default USAGE on `public`). */
const GRANTS: Record<DatabaseService, string[]> = {
  auth: [
    'USAGE schema auth',
    'USAGE schema events',
    'USAGE schema mail',
    `EXECUTE ${APPEND}`,
    'INSERT mail.outbox',
    'INSERT mail.deliveries',
    'EXECUTE auth.find_api_key(text)',
    'EXECUTE auth.touch_api_keys(uuid[],timestamp with time zone)',
    'EXECUTE auth.oauth_links_of_user(uuid)',
    'EXECUTE auth.hold_oauth_links_of_user(uuid)',
    'EXECUTE auth.api_key_endings_since(timestamp with time zone)',
  ],
  tenancy: [
    'USAGE schema tenancy',
    'USAGE schema events',
    'USAGE schema mail',
    `EXECUTE ${APPEND}`,
    'INSERT mail.outbox',
    'INSERT mail.deliveries',
    'EXECUTE tenancy.allowed_origins(uuid,text)',
    'EXECUTE tenancy.count_oauth_secrets_to_reencrypt(text)',
    'EXECUTE tenancy.list_tenants(text,timestamp with time zone,uuid,integer)',
    'EXECUTE tenancy.memberships_of_user(uuid)',
    'EXECUTE tenancy.oauth_secrets_to_reencrypt(text,uuid,integer)',
    'EXECUTE tenancy.open_invitation_tenant(text)',
    'EXECUTE tenancy.role_of(uuid,uuid)',
    'EXECUTE tenancy.session_cap_of_user(uuid)',
    'EXECUTE tenancy.session_retention_overrides(uuid,integer)',
    'EXECUTE tenancy.tenant_statuses(uuid[])',
  ],
  assets: [
    'USAGE schema assets',
    'USAGE schema events',
    `EXECUTE ${APPEND}`,
    'EXECUTE events.journal_partitions()',
    'EXECUTE events.journal_partition_rows(text,uuid,integer)',
    'EXECUTE events.drop_journal_partition(text,uuid,bigint,text,bigint,timestamp with time zone)',
  ],
  jobs: [
    'USAGE schema jobs',
    'USAGE schema events',
    `EXECUTE ${APPEND}`,
    'SELECT events.events',
    'EXECUTE events.purge_before(uuid,timestamp with time zone,integer)',
    'EXECUTE jobs.admin_dead_letters(text,uuid,timestamp with time zone,uuid,integer)',
    'EXECUTE jobs.dead_letter_scope(uuid)',
    'EXECUTE jobs.webhook_secrets_to_reencrypt(text,uuid,integer)',
    'EXECUTE jobs.count_webhook_secrets_to_reencrypt(text)',
  ],
  observability: [
    'USAGE schema observability',
    'USAGE schema events',
    `EXECUTE ${APPEND}`,
    'EXECUTE events.audit_entries(text[],uuid,bigint,integer)',
    'EXECUTE events.journal_position()',
    'EXECUTE events.journal_count(text,bigint,bigint)',
    'EXECUTE observability.alert_tenants()',
    'EXECUTE observability.record_audit_entries(text[],integer)',
    'EXECUTE observability.verify_audit_chain(uuid)',
    'EXECUTE observability.prune_audit_entries(integer,integer)',
    'EXECUTE observability.audit_export_page(uuid,timestamp with time zone,timestamp with time zone,bigint,integer)',
    'EXECUTE observability.alert_channel_secrets_to_reencrypt(text,uuid,integer)',
    'EXECUTE observability.count_alert_channel_secrets_to_reencrypt(text)',
  ],
  worker: [
    'USAGE schema jobs',
    'USAGE schema events',
    'USAGE schema mail',
    // Samples every tenant's stored bytes for the usage report; no asset table is granted.
    'USAGE schema assets',
    'EXECUTE assets.stored_bytes_by_tenant()',
    `EXECUTE ${APPEND}`,
    'SELECT events.events',
    'INSERT mail.outbox',
    // Sends the durable mail outbox: reads a pending mail, marks it sent or dead.
    'SELECT mail.deliveries',
    'INSERT mail.deliveries',
    'UPDATE mail.deliveries',
    // Sends Slack and PagerDuty alerts: reads their channels' encrypted targets, nothing else.
    'USAGE schema observability',
    'SELECT observability.alert_channels',
    'EXECUTE events.unpublished(integer)',
    'EXECUTE events.mark_published(uuid[])',
    'EXECUTE events.relay_lag_seconds()',
    'EXECUTE events.retention_scopes(uuid,integer)',
    'EXECUTE events.create_journal_partitions(timestamp with time zone,integer)',
    'EXECUTE events.journal_partitions()',
    'EXECUTE jobs.active_webhook_tenants(uuid[])',
  ],
};

export const SERVICE_ROLES = DATABASE_SERVICES.map(serviceRole);

/** What each role may do, from the catalog: `PRIVILEGE object`, every kind of object. */
export const PRIVILEGES_SQL = `
  WITH roles AS (SELECT rolname FROM pg_roles WHERE rolname = ANY($1)),
  schemas AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
  relations AS (
    SELECT c.oid, c.relkind, format('%I.%I', s.nspname, c.relname) AS name
      FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))
  SELECT r.rolname AS role, p.privilege || ' schema ' || s.nspname AS grant
    FROM roles r, schemas s, unnest(ARRAY['USAGE', 'CREATE']) p (privilege)
   WHERE has_schema_privilege(r.rolname, s.oid, p.privilege)
  UNION ALL
  -- SELECT, INSERT, UPDATE and REFERENCES may be granted on single columns too.
  SELECT r.rolname, p.privilege || ' ' || t.name
    FROM roles r, relations t,
         unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                      'TRIGGER']) p (privilege)
   WHERE t.relkind <> 'S' AND CASE
           WHEN p.privilege IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
             THEN has_any_column_privilege(r.rolname, t.oid, p.privilege)
           ELSE has_table_privilege(r.rolname, t.oid, p.privilege) END
  UNION ALL
  SELECT r.rolname, p.privilege || ' sequence ' || t.name
    FROM roles r, relations t, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p (privilege)
   WHERE t.relkind = 'S' AND has_sequence_privilege(r.rolname, t.oid, p.privilege)
  UNION ALL
  -- pg_trgm's functions in public are PostgreSQL's own, executable by anyone.
  SELECT r.rolname, 'EXECUTE ' || f.oid::regprocedure::text
    FROM roles r, schemas s JOIN pg_proc f ON f.pronamespace = s.oid
   WHERE s.nspname <> 'public' AND has_function_privilege(r.rolname, f.oid, 'EXECUTE')`;

/** Each role's privileges as the catalog has them, `PRIVILEGE object`, sorted. */
export async function actualPrivileges(query: OwnerQuery): Promise<Record<string, string[]>> {
  const rows = await query<{ role: string; grant: string }>(PRIVILEGES_SQL, [SERVICE_ROLES]);
  return Object.fromEntries(
    SERVICE_ROLES.map((role) => [
      role,
      rows
        .filter((row) => row.role === role)
        .map((row) => row.grant)
        .sort(),
    ]),
  );
}

/** Each role's privileges as the matrix has them, for the tables the database has now. */
export async function expectedPrivileges(query: OwnerQuery): Promise<Record<string, string[]>> {
  const tables = await query<{ schema: string; name: string }>(
    `SELECT schemaname AS schema, schemaname || '.' || tablename AS name FROM pg_tables`,
  );
  return Object.fromEntries(
    DATABASE_SERVICES.map((service) => {
      const own = tables
        .filter((table) => table.schema === OWN_SCHEMA[service])
        .flatMap((table) =>
          (NARROWED[table.name] ?? CRUD).map((privilege) => `${privilege} ${table.name}`),
        );
      return [serviceRole(service), ['USAGE schema public', ...own, ...GRANTS[service]].sort()];
    }),
  );
}
