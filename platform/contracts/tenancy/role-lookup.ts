import { z } from 'zod';
import { ROLES } from '../../context/request-context';
import { defineInternalCall } from '../../internal-calls/contract';
import { TENANT_STATUSES } from './tenant-status-values';

/**
 * The gateway asks tenancy for a user's role in a tenant before it lets the user act there
 * (observability and the worker ask before they mail a member an alert).
 * `tenantStatus` is null when the tenant does not exist; `role` is null when the user is not
 * a member. A suspended tenant still reports the member's role: refusing is the caller's call.
 */
export const roleLookupCall = defineInternalCall({
  name: 'the role lookup',
  path: '/internal/roles',
  servedBy: ['tenancy'],
  callers: ['gateway', 'observability', 'worker'],
  mutating: false,
  request: z.object({ tenantId: z.uuid(), userId: z.uuid() }),
  answer: z.object({
    tenantStatus: z.enum(TENANT_STATUSES).nullable(),
    role: z.enum(ROLES).nullable(),
  }),
  timeoutMs: 2_000,
  bodyLimitBytes: 4 * 1024,
});
export type RoleLookupAnswer = z.infer<typeof roleLookupCall.answer>;
