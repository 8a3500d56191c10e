import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * Whether a tenant is still live, as tenancy (which owns tenants) knows it: `live` (active
 * or suspended), `deleted` (marked deleted, its purge pending), or `gone` (no such tenant:
 * never created, or already purged). Every other subgraph asks before it purges a tenant's
 * rows, since it cannot read tenancy's tables itself.
 */
export const tenantStateCall = defineInternalCall({
  name: 'the tenant state lookup',
  path: '/internal/tenants/state',
  servedBy: ['tenancy'],
  callers: ['auth', 'assets', 'jobs', 'observability'],
  mutating: false,
  request: z.object({ tenantId: z.uuid() }),
  answer: z.object({ state: z.enum(['live', 'deleted', 'gone']) }),
  timeoutMs: 5_000,
  bodyLimitBytes: 1024,
});
export type TenantState = z.infer<typeof tenantStateCall.answer>['state'];
