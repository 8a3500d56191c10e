import type { DataSource, EntityManager } from 'typeorm';
import { withReadTransaction } from '../../../platform/db/read-transaction';

/**
 * Whose alert rules and alerts a service works on: one tenant's (the request's TenantScope
 * fits), or the platform's (tenant_id NULL, for platform administrators). Either way every
 * query runs in a transaction that row-level security confines to exactly that owner.
 */
export interface AlertScope {
  /** null: the platform. */
  readonly tenantId: string | null;
  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** A read that may lag (the audit log): the read replica's when there is one. */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
}

/** A tenant's rule, or the platform's: what it may watch and where it may send alerts. */
export type RuleOwner = 'tenant' | 'platform';

/** No tenant set in the transaction: only platform rows are visible or writable. */
export function platformAlertScope(dataSource: DataSource): AlertScope {
  return {
    tenantId: null,
    run: (fn) => dataSource.transaction(fn),
    read: (fn) => withReadTransaction(dataSource, null, fn),
  };
}

/** The key that serializes one owner's rule writes and evaluations (advisory locks). */
export function scopeLockKey(tenantId: string | null): string {
  return tenantId ?? 'platform';
}
