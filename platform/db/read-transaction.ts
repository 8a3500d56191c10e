import type { DataSource, EntityManager } from 'typeorm';
import type { ReadReplica } from './read-replica';
import { scopedTransaction } from './scope-transaction';

/**
 * The replica that serves a primary's lag-tolerant reads. It hangs off the primary data source
 * because every service already reaches the database through that one object: services keep
 * passing it around, and only where a read may lag does the code say so (`scope.read`).
 */
const replicas = new WeakMap<DataSource, ReadReplica>();

export function serveReadsFrom(primary: DataSource, replica: ReadReplica): void {
  replicas.set(primary, replica);
}

/**
 * A scoped read that may lag behind the latest writes (lists, searches, the audit log,
 * statistics): on the read replica when the process has one and it is fit to answer, on the
 * primary otherwise; read-only on either. Reads that must see the very latest state use
 * `scope.lookup` (lookups by id right after creating) or `scope.run` (checks before a write).
 */
export function readTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const replica = replicas.get(dataSource);
  return replica
    ? replica.read(tenantId, fn)
    : scopedTransaction(dataSource, tenantId, fn, { readOnly: true });
}
