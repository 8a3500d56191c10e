import { z } from 'zod';
import { ROLES } from '../context/request-context';

/**
 * The tenancy process's internal role lookup, which the gateway calls before it lets a user
 * act in a tenant: `POST ROLE_LOOKUP_PATH` with a signed service context and
 * `{ tenantId, userId }`, answered with {@link RoleLookupAnswer}. Both sides use these
 * definitions so the wire format cannot drift.
 */
export const ROLE_LOOKUP_PATH = '/internal/roles';

/** Largest body the route reads: two UUIDs fit many times over. */
export const ROLE_LOOKUP_BODY_LIMIT_BYTES = 4 * 1024;

export const TENANT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const roleLookupRequestSchema = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
});
export type RoleLookupRequest = z.infer<typeof roleLookupRequestSchema>;

/**
 * `tenantStatus` is null when the tenant does not exist; `role` is null when the user is not
 * a member. A suspended tenant still reports the member's role: refusing is the caller's call.
 */
export const roleLookupAnswerSchema = z.object({
  tenantStatus: z.enum(TENANT_STATUSES).nullable(),
  role: z.enum(ROLES).nullable(),
});
export type RoleLookupAnswer = z.infer<typeof roleLookupAnswerSchema>;
