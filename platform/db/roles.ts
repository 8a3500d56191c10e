/**
 * The processes that connect to PostgreSQL. Each connects as its own login role (no superuser,
 * no BYPASSRLS), granted its own schema and the few shared functions it calls, so an SQL
 * injection in one cannot read another's tables. The worker is the jobs service's background
 * process: it shares the `jobs` schema but alone runs the relay's cross-tenant functions.
 */
export const DATABASE_SERVICES = [
  'auth',
  'tenancy',
  'assets',
  'jobs',
  'observability',
  'worker',
] as const;
export type DatabaseService = (typeof DATABASE_SERVICES)[number];

/** The login role of a process: `tessera_<service>`. */
export function serviceRole(service: DatabaseService): string {
  return `tessera_${service}`;
}

/**
 * The schemas a service owns and reads and writes directly (every table, now and later). The
 * shared schemas (`events`, the journal, and `mail`, the outbox) are granted object by object.
 */
export const OWNED_SCHEMAS: Readonly<Record<string, readonly DatabaseService[]>> = {
  auth: ['auth'],
  tenancy: ['tenancy'],
  assets: ['assets'],
  jobs: ['jobs', 'worker'],
  observability: ['observability'],
};

export function schemaServices(schema: string): readonly DatabaseService[] {
  const services = OWNED_SCHEMAS[schema];
  if (!services) throw new Error(`schema ${schema} has no owning service`);
  return services;
}
