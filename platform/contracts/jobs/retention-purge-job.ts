import { z } from 'zod';
import { PURGE_TARGETS } from './purge-targets';

/**
 * The worker's `retention-purge` job (queue `retention`): one run of one target. Job
 * schedulers add it every PURGE_INTERVAL_SECONDS without `runId`; `runPurge` adds it with the
 * id of the run it already recorded.
 */
export const retentionPurgeJobSchema = z.object({
  target: z.enum(PURGE_TARGETS as [string, ...string[]]),
  runId: z.uuid().optional(),
});
export type RetentionPurgeJob = z.infer<typeof retentionPurgeJobSchema>;

/** Each target's job scheduler, by a key of its own (BullMQ refuses `:` in ids). */
export function retentionSchedulerId(target: string): string {
  return `retention-purge-${target}`;
}
