import { z } from 'zod';

/**
 * The tenancy process's internal listing of tenants with their retention settings, which the
 * worker's retention purges page through: `POST TENANT_RETENTION_PATH` with a signed service
 * context and `{ after }` (null first, then the answer's `next`), answered with
 * {@link TenantRetentionAnswer}. Days are effective: a tenant's override or the platform
 * default. Deleted tenants are left out: their tenant purge removes their rows.
 */
export const TENANT_RETENTION_PATH = '/internal/tenant-retention';

export const TENANT_RETENTION_BODY_LIMIT_BYTES = 4 * 1024;

/** Tenants per page. */
export const TENANT_RETENTION_PAGE = 100;

export const tenantRetentionRequestSchema = z.object({
  after: z.string().max(200).nullable(),
});
export type TenantRetentionRequest = z.infer<typeof tenantRetentionRequestSchema>;

const days = z.number().int().min(1);

export const tenantRetentionAnswerSchema = z.object({
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
  /** Pass as `after` for the next page; null after the last one. */
  next: z.string().nullable(),
});
export type TenantRetentionAnswer = z.infer<typeof tenantRetentionAnswerSchema>;
