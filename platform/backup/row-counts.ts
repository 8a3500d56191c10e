import type { Client } from 'pg';

/** Rows per table (`schema.table`), every schema but PostgreSQL's own. */
export type RowCounts = Record<string, number>;

/**
 * Counts every table's rows on `client`, inside whatever transaction (and so snapshot) it has
 * open. Row-level security is switched off for the count, so a role it would apply to fails
 * instead of counting only the rows it may see.
 */
export async function countRows(client: Client): Promise<RowCounts> {
  await client.query('SET row_security = off');
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const counts: RowCounts = {};
  for (const { name } of tables.rows) {
    const [row] = (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows;
    counts[name] = Number(row?.n ?? 0);
  }
  return counts;
}

/** Tables whose counts differ, or that only one side has. */
export function countMismatches(
  expected: RowCounts,
  actual: RowCounts,
): { table: string; expected: number | null; actual: number | null }[] {
  const tables = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return tables
    .filter((table) => expected[table] !== actual[table])
    .map((table) => ({ table, expected: expected[table] ?? null, actual: actual[table] ?? null }));
}

export function totalRows(counts: RowCounts): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}
