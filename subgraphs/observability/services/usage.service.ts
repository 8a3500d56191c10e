import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { tenantScope } from '../../../platform/db/scope';
import {
  ForbiddenError,
  TenantRequiredError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { isUuid } from '../../../platform/graphql/ids';
import {
  TenantUsageRepository,
  type TenantUsageDay,
} from '../repositories/tenant-usage.repository';

/** The longest range one `tenantUsage` reads, in days (both ends included). */
export const MAX_USAGE_RANGE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface UsageQuery {
  from: string;
  to: string;
  tenantId?: string | null;
}

/**
 * A tenant's daily usage. Tenant admins read their own tenant's (the request's tenant);
 * platform administrators any tenant's, named by `tenantId`. Read in that tenant's
 * transaction, so row-level security holds even if a check here were wrong.
 */
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
  ) {}

  async tenantUsage(query: UsageQuery): Promise<TenantUsageDay[]> {
    const from = parseDay(query.from, 'from');
    const to = parseDay(query.to, 'to');
    if (from > to) {
      throw new ValidationError('from must not be after to', { field: 'from' });
    }
    if ((to - from) / DAY_MS + 1 > MAX_USAGE_RANGE_DAYS) {
      throw new ValidationError(`A range covers at most ${MAX_USAGE_RANGE_DAYS} days`, {
        field: 'to',
      });
    }
    const tenantId = this.tenantOf(query.tenantId);
    return tenantScope(this.dataSource, tenantId).run((manager) =>
      new TenantUsageRepository(manager).between(query.from, query.to),
    );
  }

  private tenantOf(requested: string | null | undefined): string {
    if (requested === null || requested === undefined) {
      if (!this.request.tenantId) throw new TenantRequiredError();
      return this.request.tenantId;
    }
    if (!isUuid(requested)) {
      throw new ValidationError('tenantId must be a tenant id', { field: 'tenantId' });
    }
    const tenantId = requested.toLowerCase();
    if (tenantId !== this.request.tenantId && !this.request.platformAdmin) {
      throw new ForbiddenError("Only platform administrators read another tenant's usage");
    }
    return tenantId;
  }
}

/** A `YYYY-MM-DD` day that exists, as epoch milliseconds at its UTC midnight. */
function parseDay(value: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${field} must be a day as YYYY-MM-DD`, { field });
  }
  return ms;
}
