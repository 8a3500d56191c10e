import { z } from 'zod';
import { PURGE_TARGETS } from './purge-targets';

/**
 * Every subgraph's internal retention purge, which the worker's retention jobs call:
 * `POST RETENTION_PURGE_PATH` with a signed service context and
 * {@link RetentionPurgeRequest}, answered with {@link RetentionPurgeAnswer}. One call deletes
 * the target's rows older than `before` (of `tenantId`, or of no tenant when null) in
 * batches of `batch` rows, each in a short transaction, for a bounded time; the caller
 * repeats it until `complete`. A target the subgraph does not own answers 404.
 */
export const RETENTION_PURGE_PATH = '/internal/retention-purge';

export const RETENTION_PURGE_BODY_LIMIT_BYTES = 4 * 1024;

/** Rows per DELETE: small, so no purge holds locks or a connection for long. */
export const DEFAULT_PURGE_BATCH = 500;
export const MAX_PURGE_BATCH = 5_000;

export const retentionPurgeRequestSchema = z.object({
  target: z.enum(PURGE_TARGETS as [string, ...string[]]),
  /** The tenant whose rows go (row-level security is set to it); null: rows of no tenant. */
  tenantId: z.uuid().nullable(),
  /** Rows that expired (were deleted, used, failed...) before this instant go. */
  before: z.iso.datetime({ offset: true }),
  batch: z.number().int().min(1).max(MAX_PURGE_BATCH),
});
export type RetentionPurgeRequest = z.infer<typeof retentionPurgeRequestSchema>;

export const retentionPurgeAnswerSchema = z.object({
  deleted: z.number().int().nonnegative(),
  /** False when the call's time budget ran out first: call again. */
  complete: z.boolean(),
});
export type RetentionPurgeAnswer = z.infer<typeof retentionPurgeAnswerSchema>;

/** What one handler gets: the cutoff parsed, the tenant lower-cased. */
export interface RetentionBatch {
  tenantId: string | null;
  before: Date;
  batch: number;
}

/**
 * Deletes at most `batch` rows of one target that are past `before` and answers how many
 * went; the route calls it until fewer than `batch` go. Handlers of `tenants` targets are
 * never called with a null tenant, and those of `global` ones never with a tenant.
 */
export type RetentionPurgeHandler = (request: RetentionBatch) => Promise<number>;
