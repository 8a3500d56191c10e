/**
 * Runs `deleteBatch` (one short transaction deleting at most `batchSize` rows, answering how
 * many went) until a batch comes back short, or `deadline` (a Date.now() value) passes.
 * What the internal purge routes share: every batch commits on its own, so locks are held
 * briefly, and a call answers within its time budget however much is left, with `complete:
 * false` telling the caller to call again.
 */
export async function deleteInBatches(
  deleteBatch: () => Promise<number>,
  options: { batchSize: number; deadline: number },
): Promise<{ deleted: number; complete: boolean }> {
  let deleted = 0;
  for (;;) {
    const count = await deleteBatch();
    deleted += count;
    if (count < options.batchSize) return { deleted, complete: true };
    if (Date.now() >= options.deadline) return { deleted, complete: false };
  }
}
