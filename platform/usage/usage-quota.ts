import { DomainError } from '../errors/domain-errors';
import { ErrorCode } from '../errors/codes';
import type { OperationType } from './usage-counts';

/** What asks to be admitted: one operation in one tenant. */
export interface UsageAdmission {
  tenantId: string;
  operationType: OperationType;
}

/**
 * The hook a usage quota plugs into: consulted for every operation in a tenant once the
 * caller was let into the tenant, before the operation runs. It refuses by throwing
 * {@link UsageQuotaExceededError} (or any DomainError); anything else it throws fails the
 * request as an internal error. The default admits everything; assets' per-tenant storage
 * quota (ASSETS_TENANT_QUOTA_BYTES) is checked where the bytes are known, at upload.
 */
export interface UsageQuota {
  admit(admission: UsageAdmission): void | Promise<void>;
}

export class UsageQuotaExceededError extends DomainError {
  constructor(
    message = "The tenant's usage quota does not admit this operation",
    retryAfterSeconds?: number,
  ) {
    super(
      ErrorCode.QUOTA_EXCEEDED,
      message,
      429,
      retryAfterSeconds === undefined ? {} : { retryAfter: retryAfterSeconds },
    );
  }
}

export const allowAllUsage: UsageQuota = { admit: () => undefined };

/**
 * The quota a module names (GATEWAY_USAGE_QUOTA_MODULE: a path to a JavaScript module whose
 * `createUsageQuota()` returns one), or {@link allowAllUsage} without one.
 */
export async function loadUsageQuota(modulePath: string | undefined): Promise<UsageQuota> {
  if (!modulePath) return allowAllUsage;
  const loaded = (await import(modulePath)) as { createUsageQuota?: () => UsageQuota };
  if (typeof loaded.createUsageQuota !== 'function') {
    throw new Error(`${modulePath} exports no createUsageQuota()`);
  }
  const quota = loaded.createUsageQuota();
  if (typeof quota?.admit !== 'function') {
    throw new Error(`createUsageQuota() of ${modulePath} returned no admit()`);
  }
  return quota;
}
