import type { Job, JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { JobName, QueueName } from './queue-names';

/**
 * The `reencrypt-secrets` job (queue `maintenance`): the worker asks every subgraph that stores
 * key ring envelopes (auth, tenancy, jobs, observability) to rewrite those not under its active key, through their
 * signed `POST /internal/reencrypt` routes (platform/crypto/reencryption.ts). A job scheduler
 * runs it daily; `reencryptSecrets` (platform administrators) runs it now. It fails, and says
 * how many are left, when any secret stays under an older key: that key must stay in
 * ENCRYPTION_KEYS until a run succeeds.
 */
export const REENCRYPT_SECRETS_QUEUE = QueueName.MAINTENANCE;

/** The job scheduler's id, and its daily run (UTC): after a rotation nothing waits long. */
export const REENCRYPT_SECRETS_SCHEDULER_ID = JobName.REENCRYPT_SECRETS;
export const REENCRYPT_SECRETS_SCHEDULE = { pattern: '30 3 * * *', tz: 'UTC' } as const;

/** A run that failed (a subgraph was down) is tried again a few times, minutes apart. */
export const REENCRYPT_SECRETS_JOB_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 30_000 },
};

const ownerResultSchema = z.object({
  activeKid: z.string(),
  reencrypted: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
});

/** What a successful run returns (and the worker logs), per owning subgraph and in total. */
export const reencryptSecretsResultSchema = z.object({
  reencrypted: z.number().int().nonnegative(),
  owners: z.record(z.string(), ownerResultSchema),
});
export type ReencryptSecretsResult = z.infer<typeof reencryptSecretsResultSchema>;

/**
 * Enqueues a run unless one is already waiting or running, in which case that one's job is
 * returned: two runs at once would only do the same work twice.
 */
export async function enqueueReencryptSecrets(
  queue: Queue,
  by: { requestId: string | null; requestedBy: string | null },
): Promise<Job> {
  // requestId and a null tenantId as every job's correlation has them: platform work.
  return queue.add(
    JobName.REENCRYPT_SECRETS,
    { requestId: by.requestId, tenantId: null, requestedBy: by.requestedBy },
    {
      ...REENCRYPT_SECRETS_JOB_OPTIONS,
      deduplication: { id: JobName.REENCRYPT_SECRETS },
    },
  );
}
