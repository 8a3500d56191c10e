import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { tenantScope, type TenantScope } from '../../../platform/db/scope';
import {
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent, prepareEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { TenantEntity } from '../entities/tenant.entity';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';
import type { MembershipChanged } from './membership.service';
import { requireTenantRole } from './tenant-access';
import { validName } from './tenant.service';

/** What the tenancy process builds once for a tenant's lifecycle (see tenant-lifecycle.setup.ts). */
export interface TenantLifecycleHooks {
  membershipChanged: MembershipChanged;
  /**
   * Enqueues the purge of a deleted tenant's rows. Called after the deletion committed; a
   * failure is logged, not thrown: the tenant is already gone for every caller.
   */
  purgeDeletedTenant: (tenantId: string) => Promise<void>;
}

/** Renaming and deleting the request's tenant. */
export class TenantLifecycleService {
  private readonly scope: TenantScope;

  constructor(
    dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly hooks: TenantLifecycleHooks,
  ) {
    this.scope = tenantScope(dataSource, request);
  }

  /** `updateTenant`: OWNERs and ADMINs. A null or absent name changes nothing. */
  async update(input: { name?: string | null }): Promise<TenantEntity> {
    requireTenantRole(this.request, 'ADMIN', 'change the tenant');
    const name = input.name === null || input.name === undefined ? null : validName(input.name);
    const tenantId = this.scope.tenantId;
    return this.scope.run(async (manager) => {
      const tenants = new TenantLifecycleRepository(manager);
      const renamed =
        name === null
          ? null
          : await tenants.renameLocked(
              tenantId,
              name,
              // previousName is added from the row the rename replaced.
              prepareEvent({ type: EventType.TENANT_UPDATED, payload: { tenantId, name } }),
            );
      if (!renamed) {
        // Nothing changed: the tenant is gone, or the name is null or already this one.
        const tenant = await tenants.lockLive(tenantId);
        if (!tenant) throw new NotFoundError('Tenant');
        return tenant;
      }
      return renamed.tenant;
    });
  }

  /**
   * `deleteTenant`: OWNERs only, naming the tenant's slug to confirm. Marks it deleted, which
   * makes every caller's next request to it FORBIDDEN (the gateway's cached roles of the
   * tenant are dropped), then has the worker purge its rows in every subgraph.
   */
  async delete(confirmSlug: string): Promise<boolean> {
    const userId = requireTenantRole(this.request, 'OWNER', 'delete it');
    const tenantId = this.scope.tenantId;
    await this.scope.run(async (manager) => {
      const tenants = new TenantLifecycleRepository(manager);
      const tenant = await tenants.lockLive(tenantId);
      if (!tenant) throw new NotFoundError('Tenant');
      // The role the gateway resolved may be a moment old: decide on the stored one, read
      // under the tenant's lock (platform administrators act as OWNERs).
      if (!this.request.platformAdmin && (await tenants.memberRole(tenantId, userId)) !== 'OWNER') {
        throw new ForbiddenError('Only OWNERs of this tenant delete it');
      }
      if (confirmSlug.trim() !== tenant.slug) {
        throw new ValidationError(
          "confirmSlug must be the tenant's slug, to confirm which tenant is deleted",
          { field: 'confirmSlug' },
        );
      }
      await tenants.markDeleted(tenantId);
      await appendEvent(manager, {
        type: EventType.TENANT_DELETED,
        payload: { tenantId, slug: tenant.slug, name: tenant.name },
      });
    });
    // After the commit: no cached role may outlive the tenant, and nothing is purged for a
    // deletion that rolled back.
    await this.hooks.membershipChanged(tenantId);
    await this.hooks.purgeDeletedTenant(tenantId);
    return true;
  }
}
