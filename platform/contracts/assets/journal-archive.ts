import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * The worker's events retention asks assets (which owns the asset store) to archive every month
 * partition of the journal that ends at or before `before`, then drop it: each is written to
 * the store as gzip NDJSON, read back and counted, and dropped only when the count matches the
 * partition's (see the add-journal-archive-functions migration). A month that could not be
 * archived or dropped stays, with its reason; the others go on. A `before` less than a day ago
 * answers 409 `CONFLICT` before anything is read.
 */
export const journalArchiveCall = defineInternalCall({
  name: 'the journal archive',
  path: '/internal/journal-archive',
  servedBy: ['assets'],
  callers: ['worker'],
  mutating: true,
  request: z.object({ before: z.iso.datetime({ offset: true }) }),
  answer: z.object({
    partitions: z.array(
      z.object({
        /** `events_yYYYYmMM`. */
        name: z.string(),
        /** The archive's id in events.journal_archives; null when the month stayed. */
        archiveId: z.uuid().nullable(),
        rows: z.number().int().nonnegative(),
        dropped: z.boolean(),
        /** Why the month stayed. */
        error: z.string().nullable(),
      }),
    ),
  }),
  // A month of a busy journal takes a while to write and read back.
  timeoutMs: 30 * 60_000,
  bodyLimitBytes: 1024,
});
export type JournalArchiveAnswer = z.infer<typeof journalArchiveCall.answer>;
