import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { MAX_PURGE_BATCH } from './retention-batch';
import { PURGE_TARGETS } from '../jobs/purge-targets';

/**
 * The worker's retention jobs ask a target's owner to delete the target's rows that expired
 * before `before` (of `tenantId`, or of no tenant when null), in batches of `batch` rows, each
 * in a short transaction, for a bounded time; the caller repeats it until `complete`. A target
 * the subgraph does not own answers 404 `NOT_FOUND`; a `before` more recent than the target's
 * shortest retention, 409 `CONFLICT`.
 */
export const retentionPurgeCall = defineInternalCall({
  name: 'the retention purge',
  path: '/internal/retention-purge',
  servedBy: ['auth', 'tenancy', 'assets', 'jobs'],
  callers: ['worker'],
  mutating: true,
  request: z.object({
    target: z.enum(PURGE_TARGETS as [string, ...string[]]),
    /** The tenant whose rows go (row-level security is set to it); null: rows of no tenant. */
    tenantId: z.uuid().nullable(),
    /** Rows that expired (were deleted, used, failed...) before this instant go. */
    before: z.iso.datetime({ offset: true }),
    batch: z.number().int().min(1).max(MAX_PURGE_BATCH),
  }),
  answer: z.object({
    deleted: z.number().int().nonnegative(),
    /** False when the call's time budget ran out first: call again. */
    complete: z.boolean(),
  }),
  timeoutMs: 60_000,
  bodyLimitBytes: 4 * 1024,
});
export type RetentionPurgeRequest = z.infer<typeof retentionPurgeCall.request>;
export type RetentionPurgeAnswer = z.infer<typeof retentionPurgeCall.answer>;
