import type { Queue } from 'bullmq';

/** How many jobs one clean call removes; small batches keep Redis responsive. */
const BATCH = 1_000;

/**
 * Removes completed and failed jobs older than the retention from every queue, in batches,
 * so finished jobs never grow without bound. Returns how many were removed.
 */
export async function purgeFinishedJobs(
  queues: readonly Queue[],
  retentionMs: number,
): Promise<number> {
  let removed = 0;
  for (const queue of queues) {
    for (const state of ['completed', 'failed'] as const) {
      for (;;) {
        const ids = await queue.clean(retentionMs, BATCH, state);
        removed += ids.length;
        if (ids.length < BATCH) break;
      }
    }
  }
  return removed;
}
