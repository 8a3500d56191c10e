import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { SUBGRAPH_NAMES } from '../../paths';

/**
 * Every subgraph's purge of a deleted tenant, which the worker's `purge-tenant` job calls
 * after the deletion: each call deletes the subgraph's rows of the tenant in batches for a
 * bounded time; the caller repeats it until `complete`. A subgraph first makes sure the tenant
 * is no longer live (409 `CONFLICT` otherwise, nothing deleted). Deleting what is already gone
 * is a no-op, so a retried job is safe.
 */
export const tenantPurgeCall = defineInternalCall({
  name: 'the tenant purge',
  path: '/internal/purge-tenant',
  servedBy: SUBGRAPH_NAMES,
  callers: ['worker'],
  mutating: true,
  request: z.object({ tenantId: z.uuid() }),
  answer: z.object({
    /** Rows deleted by this call, by `schema.table`. */
    deleted: z.record(z.string(), z.number().int().nonnegative()),
    /** False when the time budget ran out first: call again. */
    complete: z.boolean(),
  }),
  timeoutMs: 60_000,
  bodyLimitBytes: 4 * 1024,
});
export type TenantPurgeAnswer = z.infer<typeof tenantPurgeCall.answer>;
