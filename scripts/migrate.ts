import { z } from 'zod';
import { loadConfig } from '../platform/config/load';
import { serviceDatabaseUrl } from '../platform/config/service';
import { url } from '../platform/config/fields';
import { applyMigrations, revertLastMigration } from '../platform/db/migrations';
import { DATABASE_SERVICES, serviceRole, type DatabaseService } from '../platform/db/roles';
import { ensureDatabase } from '../platform/db/bootstrap';
import { ALL_MIGRATIONS } from './all-migrations';

// `node dist/scripts/migrate.js up|revert`: applies every pending migration, or reverts the
// last one. Connects as the schema owner; each service connects as its own role.

type ServiceUrlVariable = `${Uppercase<DatabaseService>}_DATABASE_URL`;
const urlVariable = (service: DatabaseService) =>
  `${service.toUpperCase()}_DATABASE_URL` as ServiceUrlVariable;

export const migrationConfigShape = {
  MIGRATION_DATABASE_URL: url(
    ['postgres', 'postgresql'],
    'postgres://postgres@127.0.0.1:5432/tessera',
  ).describe('The schema owner, which creates the database and the roles and applies migrations.'),
  ...(Object.fromEntries(
    DATABASE_SERVICES.map((service) => [
      urlVariable(service),
      serviceDatabaseUrl(service)
        .optional()
        .describe(
          `The ${service} process's database URL: the launcher hands it on as that process's DATABASE_URL, and its password, if any, becomes the role's. Unset: MIGRATION_DATABASE_URL's server as the ${service} role, no password.`,
        ),
    ]),
  ) as Record<ServiceUrlVariable, z.ZodOptional<ReturnType<typeof serviceDatabaseUrl>>>),
};

/**
 * The services' database URLs of a config parsed with {@link migrationConfigShape}. One that is
 * not set is MIGRATION_DATABASE_URL's server and database, as the service's role, with no
 * password: what a local run needs.
 */
export function serviceDatabaseUrls(
  config: { MIGRATION_DATABASE_URL: string } & Partial<Record<ServiceUrlVariable, string>>,
): Record<DatabaseService, string> {
  const urlOf = (service: DatabaseService) => {
    const url = new URL(config.MIGRATION_DATABASE_URL);
    url.username = serviceRole(service);
    url.password = '';
    return url.toString();
  };
  return Object.fromEntries(
    DATABASE_SERVICES.map((service) => [service, config[urlVariable(service)] ?? urlOf(service)]),
  ) as Record<DatabaseService, string>;
}

async function main(command: string): Promise<void> {
  const config = loadConfig(migrationConfigShape);
  if (command === 'up') {
    await ensureDatabase(config.MIGRATION_DATABASE_URL, serviceDatabaseUrls(config));
    const applied = await applyMigrations(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  } else if (command === 'revert') {
    await revertLastMigration(config.MIGRATION_DATABASE_URL, ALL_MIGRATIONS);
    process.stdout.write('reverted the last migration\n');
  } else {
    throw new Error(`unknown command "${command}": use up or revert`);
  }
}

if (require.main === module) {
  const command = z.enum(['up', 'revert']).safeParse(process.argv[2] ?? 'up');
  main(command.success ? command.data : String(process.argv[2])).catch((error: unknown) => {
    process.stderr.write(
      `migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
