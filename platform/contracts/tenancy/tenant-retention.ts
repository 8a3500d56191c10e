import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/** Tenants per page. */
export const TENANT_RETENTION_PAGE = 100;

const days = z.number().int().min(1);

/**
 * The worker's retention purges page through the live tenants with their retention settings:
 * `{ after }` (null first, then the answer's `next`, null after the last page). Days are
 * effective: a tenant's override or the platform default. Deleted tenants are left out: their
 * tenant purge removes their rows.
 */
export const tenantRetentionCall = defineInternalCall({
  name: 'the tenant retention lookup',
  path: '/internal/tenant-retention',
  servedBy: ['tenancy'],
  callers: ['worker'],
  mutating: false,
  request: z.object({ after: z.string().max(200).nullable() }),
  answer: z.object({
    tenants: z.array(
      z.object({
        tenantId: z.uuid(),
        retentionDays: z.object({
          events: days,
          webhookDeliveries: days,
          deletedAssets: days,
          sessions: days,
        }),
      }),
    ),
    next: z.string().nullable(),
  }),
  timeoutMs: 60_000,
  bodyLimitBytes: 4 * 1024,
});
export type TenantRetentionAnswer = z.infer<typeof tenantRetentionCall.answer>;
