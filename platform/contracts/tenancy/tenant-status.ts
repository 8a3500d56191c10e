import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { TENANT_STATUSES } from './tenant-status-values';

export const MAX_TENANT_STATUS_IDS = 500;

/**
 * The status of some tenants, as tenancy (which owns tenants) knows it: the live ones among
 * `tenantIds` (active or suspended). A tenant left out of the answer is not live (never
 * created, deleted, or purged). Services that must stop for a suspended tenant ask it (blob
 * URLs, alert evaluation, through tenant-status-cache.ts), and every subgraph asks before it
 * purges a tenant's rows, since none of them can read tenancy's tables.
 */
export const tenantStatusCall = defineInternalCall({
  name: 'the tenant status lookup',
  path: '/internal/tenant-status',
  servedBy: ['tenancy'],
  callers: ['auth', 'assets', 'jobs', 'observability'],
  mutating: false,
  request: z.object({ tenantIds: z.array(z.uuid()).min(1).max(MAX_TENANT_STATUS_IDS) }),
  answer: z.object({
    tenants: z.array(z.object({ id: z.uuid(), status: z.enum(TENANT_STATUSES) })),
  }),
  timeoutMs: 2_000,
  bodyLimitBytes: 64 * 1024,
});
export type TenantStatusAnswer = z.infer<typeof tenantStatusCall.answer>;
