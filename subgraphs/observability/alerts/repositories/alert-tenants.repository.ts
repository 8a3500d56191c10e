import type { DataSource } from 'typeorm';

/**
 * The one cross-tenant read of the evaluator: which tenants have enabled rules, open alerts
 * or waiting notifications, through the owner's SECURITY DEFINER function (observability's role
 * sees one tenant per transaction). Everything else happens in each tenant's own transaction.
 * null stands for the platform's own rules, evaluated first.
 */
export async function tenantsToEvaluate(dataSource: DataSource): Promise<(string | null)[]> {
  const rows = await dataSource.query<{ id: string | null }[]>(
    `SELECT t.id FROM observability.alert_tenants() AS t(id) ORDER BY t.id NULLS FIRST`,
  );
  return rows.map((row) => row.id);
}
