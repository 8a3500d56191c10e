import { platformScope } from '../../../platform/db/scope';
import type { DataSource } from 'typeorm';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { isUuid } from '../../../platform/graphql/ids';
import { PLATFORM_CHAIN, type AuditExportUrls } from '../audit/audit-export-urls';
import {
  AuditTrailRepository,
  type ChainVerification,
} from '../repositories/audit-trail.repository';

const DAY_MS = 86_400_000;

/**
 * Platform administrators' view of the audit trail as a whole: verifying one chain (a tenant's
 * or the platform's) and handing out signed export URLs. The resolvers are behind
 * @platformAdmin; the functions read across tenants, so nothing here runs for anyone else.
 */
export class AuditChainService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly urls: AuditExportUrls,
    private readonly maxExportDays: number,
  ) {}

  verify(tenantId: string | null | undefined): Promise<ChainVerification> {
    const tenant = this.tenantOf(tenantId);
    return platformScope(this.dataSource).run((manager) =>
      new AuditTrailRepository(manager).verify(tenant),
    );
  }

  exportUrl(args: { from: Date; to: Date; tenantId?: string | null }) {
    const tenant = this.tenantOf(args.tenantId);
    if (args.to.getTime() <= args.from.getTime()) {
      throw new ValidationError('to must be after from', { field: 'to' });
    }
    if (args.to.getTime() - args.from.getTime() > this.maxExportDays * DAY_MS) {
      throw new ValidationError(`An export covers at most ${this.maxExportDays} days`, {
        field: 'to',
        maxDays: this.maxExportDays,
      });
    }
    return this.urls.sign({ chain: tenant ?? PLATFORM_CHAIN, from: args.from, to: args.to });
  }

  private tenantOf(tenantId: string | null | undefined): string | null {
    if (tenantId === null || tenantId === undefined) return null;
    if (!isUuid(tenantId) || tenantId === PLATFORM_CHAIN) {
      throw new ValidationError('tenantId must be a tenant id', { field: 'tenantId' });
    }
    return tenantId.toLowerCase();
  }
}
