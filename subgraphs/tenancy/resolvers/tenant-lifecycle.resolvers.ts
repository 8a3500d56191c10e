import type {
  MutationResolvers,
  QueryResolvers,
  TenantResolvers,
} from '../generated/resolvers-types';

/** Tenant settings, deletion and platform administration (see tenant-lifecycle.context.ts). */
export const tenantLifecycleQueries: Pick<QueryResolvers, 'tenants'> = {
  tenants: (_parent, args, { tenantAdmin }) => tenantAdmin.list(args),
};

export const tenantLifecycleMutations: Pick<
  MutationResolvers,
  'updateTenant' | 'updateTenantSettings' | 'deleteTenant' | 'adminSetTenantStatus'
> = {
  updateTenant: (_parent, { name }, { tenantLifecycle }) => tenantLifecycle.update({ name }),
  updateTenantSettings: (_parent, { input }, { tenantSettings }) => tenantSettings.update(input),
  deleteTenant: (_parent, { confirmSlug }, { tenantLifecycle }) =>
    tenantLifecycle.delete(confirmSlug),
  adminSetTenantStatus: (_parent, { tenantId, status }, { tenantAdmin }) =>
    tenantAdmin.setStatus(tenantId, status),
};

export const tenantSettingsField: Pick<TenantResolvers, 'settings'> = {
  settings: (tenant, _args, { tenantSettings }) => tenantSettings.of(tenant),
};
