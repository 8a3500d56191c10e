/** What a live tenant can be; deleted tenants are no longer live (see the tenant purge). */
export const TENANT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
