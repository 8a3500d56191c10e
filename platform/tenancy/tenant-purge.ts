import { z } from 'zod';

/**
 * Every subgraph's internal tenant purge, which the worker's `purge-tenant` job calls after a
 * tenant was deleted: `POST TENANT_PURGE_PATH` with a signed service context and
 * `{ tenantId }`, answered with {@link TenantPurgeAnswer}. Each call deletes the subgraph's rows
 * of the tenant in batches for a bounded time; the caller repeats it until `complete`.
 * Deleting what is already gone is a no-op, so a retried job is safe.
 */
export const TENANT_PURGE_PATH = '/internal/purge-tenant';

export const TENANT_PURGE_BODY_LIMIT_BYTES = 4 * 1024;

export const tenantPurgeRequestSchema = z.object({ tenantId: z.uuid() });
export type TenantPurgeRequest = z.infer<typeof tenantPurgeRequestSchema>;

export const tenantPurgeAnswerSchema = z.object({
  /** Rows deleted by this call, by `schema.table`. */
  deleted: z.record(z.string(), z.number().int().nonnegative()),
  /** False when the time budget ran out first: call again. */
  complete: z.boolean(),
});
export type TenantPurgeAnswer = z.infer<typeof tenantPurgeAnswerSchema>;
