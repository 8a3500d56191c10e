import type { DataSource, EntityManager } from 'typeorm';
import { requireTenant, type RequestContext } from '../context/request-context';
import { readTransaction } from './read-transaction';
import { scopedTransaction, type TransactionOptions } from './scope-transaction';

/**
 * How services and workers reach the database: whose rows (one tenant's, or the platform's
 * when `tenantId` is null) bound to a data source. Every transaction it opens sets that owner
 * for row-level security first, so no caller can forget to, and repositories only ever see
 * the manager it hands them.
 */
export interface Scope<TTenant extends string | null = string | null> {
  /** The tenant whose rows this scope reaches; null: the platform (rows without a tenant). */
  readonly tenantId: TTenant;
  /** A transaction on the primary; `options.lockTenant` serializes it with others (see there). */
  run<T>(fn: (manager: EntityManager) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * A read that must see the latest writes (by id, just after a write): read-only on the
   * primary, each statement one round trip (see scopedTransaction).
   */
  lookup<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** A read that may lag (lists, searches): the read replica's when there is one. */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
}

/** A scope bound to one tenant: what request-facing services receive. */
export type TenantScope = Scope<string>;

/**
 * One tenant's scope. Given the request, the tenant is read when a transaction opens, so a
 * request without one fails there (with requireTenant's error) rather than when the services
 * are built.
 */
export function tenantScope(dataSource: DataSource, tenant: string | RequestContext): TenantScope {
  const tenantId = () => (typeof tenant === 'string' ? tenant : requireTenant(tenant));
  return {
    get tenantId() {
      return tenantId();
    },
    run: (fn, options) => scopedTransaction(dataSource, tenantId(), fn, options),
    lookup: (fn) => scopedTransaction(dataSource, tenantId(), fn, { readOnly: true }),
    read: (fn) => readTransaction(dataSource, tenantId(), fn),
  };
}

/** The platform's scope: no tenant set, so only rows whose tenant is NULL are reachable. */
export function platformScope(dataSource: DataSource): Scope<null> {
  return {
    tenantId: null,
    run: (fn, options) => scopedTransaction(dataSource, null, fn, options),
    lookup: (fn) => scopedTransaction(dataSource, null, fn, { readOnly: true }),
    read: (fn) => readTransaction(dataSource, null, fn),
  };
}

/** A tenant's scope, or the platform's when `tenantId` is null. */
export function scopeOf(dataSource: DataSource, tenantId: string | null): Scope {
  return tenantId === null ? platformScope(dataSource) : tenantScope(dataSource, tenantId);
}
