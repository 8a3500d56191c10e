import { adminQuery } from './database';
import { TEMPLATE_DATABASE } from './services';

/** Drops this run's template; test files already dropped their own databases. */
export default async function globalTeardown(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
}
