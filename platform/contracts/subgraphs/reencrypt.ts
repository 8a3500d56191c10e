import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/** Most secrets one call rewrites (each is a short transaction). */
export const MAX_REENCRYPT_BATCH = 1_000;

/**
 * Every subgraph that stores key ring envelopes serves this, which the worker's
 * `reencrypt-secrets` job calls after a key rotation: `{ batch, cursor? }` rewrites up to
 * `batch` stored secrets that are not under the process's active key, each with the same
 * associated data as before. The job repeats the call with the returned cursor until it is
 * null: one pass over every store, so a secret that cannot be decrypted (its key is gone from
 * ENCRYPTION_KEYS, or it was tampered with) is counted in `failed` once and skipped, never
 * retried in a loop.
 *
 * Rewriting is idempotent and safe next to live traffic: each secret is re-read under a row
 * lock and rewritten only while it is still under an older key.
 */
export const reencryptCall = defineInternalCall({
  name: 'the re-encryption',
  path: '/internal/reencrypt',
  servedBy: ['auth', 'tenancy', 'jobs', 'observability'],
  callers: ['worker'],
  mutating: true,
  request: z.object({
    /** Secrets to rewrite in this call; 0 only counts what is left. */
    batch: z.number().int().min(0).max(MAX_REENCRYPT_BATCH),
    /** Where the previous call of this pass stopped (opaque); absent: from the start. */
    cursor: z.string().max(200).optional(),
  }),
  answer: z.object({
    /** Secrets rewritten under the active key by this call. */
    reencrypted: z.number().int().nonnegative(),
    /** Rows this call could not re-encrypt, left as they were (logged with the reason). */
    failed: z.number().int().nonnegative(),
    /** Secrets still stored under another key after this call, failed ones included. */
    remaining: z.number().int().nonnegative(),
    /** Pass this to the next call; null when the pass is over. */
    cursor: z.string().nullable(),
    /** The key the subgraph encrypts under (ENCRYPTION_KEYS' first). */
    activeKid: z.string(),
  }),
  timeoutMs: 60_000,
  bodyLimitBytes: 4 * 1024,
});
export type ReencryptAnswer = z.infer<typeof reencryptCall.answer>;
