import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { platformScope, tenantScope } from '../../../platform/db/scope';
import { NotFoundError, ValidationError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '../../../platform/graphql/pagination';
import { parseId } from '../../../platform/graphql/ids';
import { TENANT_STATUSES, type TenantEntity, type TenantStatus } from '../entities/tenant.entity';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';
import type { MembershipChanged } from './membership.service';
import { requirePlatformAdmin } from './tenant-access';
import type { TenantSettingsService } from './tenant-settings.service';

export type TenantConnectionModel = Connection<TenantEntity>;

/** Exactly what the listing function prints: microseconds, UTC. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** What platform administrators do to tenants, across tenants. */
export class TenantAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly settings: TenantSettingsService,
    private readonly membershipChanged: MembershipChanged,
    private readonly statusChanged: (tenantId: string) => Promise<void>,
  ) {}

  /** `tenants`: live tenants, newest first, optionally of one status. */
  async list(args: {
    first?: number | null;
    after?: string | null;
    status?: TenantStatus | null;
  }): Promise<TenantConnectionModel> {
    requirePlatformAdmin(this.request, 'list tenants');
    const size = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after && (!CURSOR_TIME.test(after.value) || !isUuidLike(after.id))) {
      throw new ValidationError('after is not a cursor of this list', { field: 'after' });
    }
    const rows = await platformScope(this.dataSource).read((manager) =>
      new TenantLifecycleRepository(manager).list({
        status: args.status ?? null,
        after,
        limit: size + 1,
      }),
    );
    for (const row of rows) this.settings.prime(row.tenant.id, row.settings);
    const positions = new Map(rows.map((row) => [row.tenant, row.position]));
    return toConnection(
      rows.map((row) => row.tenant),
      size,
      (tenant) => positions.get(tenant)!,
    );
  }

  /**
   * `adminSetTenantStatus`: SUSPENDED refuses every caller of the tenant with
   * TENANT_SUSPENDED from their next request on (the gateway's cached answers of the whole
   * tenant are dropped) and pauses its background work (alert rules, blob URLs: the change
   * is announced to their status caches); ACTIVE lets them back in. Deleted tenants are
   * NOT_FOUND.
   */
  async setStatus(rawTenantId: string, status: TenantStatus): Promise<TenantEntity> {
    requirePlatformAdmin(this.request, 'change the status of tenants');
    const tenantId = parseId(rawTenantId, 'tenantId');
    if (!TENANT_STATUSES.includes(status)) {
      throw new ValidationError(`status must be one of ${TENANT_STATUSES.join(', ')}`, {
        field: 'status',
      });
    }
    // Tenantless request: the change runs in the named tenant's own transaction, so its
    // row and its event are written under that tenant's row-level security.
    const { tenant, changed } = await tenantScope(this.dataSource, tenantId).run(
      async (manager) => {
        const tenants = new TenantLifecycleRepository(manager);
        const current = await tenants.lockLive(tenantId);
        if (!current) throw new NotFoundError('Tenant');
        if (current.status === status) return { tenant: current, changed: false };
        const updated = await tenants.setStatus(tenantId, status);
        await appendEvent(manager, {
          type: EventType.TENANT_STATUS_CHANGED,
          tenantId,
          payload: { tenantId, from: current.status, to: status },
        });
        return { tenant: updated, changed: true };
      },
    );
    if (changed) {
      await this.membershipChanged(tenantId);
      await this.statusChanged(tenantId);
    }
    return tenant;
  }
}

function isUuidLike(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
