import type { TestDatabase } from '../../testing/database';
import { cpuTimeMs } from './process-cpu';

/**
 * CPU time of the PostgreSQL backends serving one database (its connections' processes,
 * found in pg_stat_activity), so a run's database work is counted apart from other clients
 * of the same server. A backend that ends between two snapshots takes its time with it.
 */
export async function postgresCpuSnapshot(db: TestDatabase): Promise<Map<number, number>> {
  const rows = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [db.name],
  );
  const snapshot = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      snapshot.set(pid, cpuTimeMs([pid]));
    } catch {
      // The backend ended after the query listed it.
    }
  }
  return snapshot;
}

/** CPU ms the backends used between two snapshots (new backends: all they used). */
export function postgresCpuBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
