/**
 * The SQL condition "owned by this tenant, or by the platform (null)", appending its parameter
 * to `params`. Row-level security already confines a transaction to one owner; the explicit
 * condition is what lets the planner use the (tenant_id, …) indexes, which an
 * `IS NOT DISTINCT FROM` could not.
 */
export function ownedBy(column: string, tenantId: string | null, params: unknown[]): string {
  if (tenantId === null) return `${column} IS NULL`;
  params.push(tenantId);
  return `${column} = $${params.length}::uuid`;
}
