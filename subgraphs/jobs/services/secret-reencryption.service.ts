import { Queue, QueueEvents, type Job } from 'bullmq';
import type { RequestContext } from '../../../platform/context/request-context';
import {
  ConflictError,
  ForbiddenError,
  ServiceUnavailableError,
} from '../../../platform/errors/domain-errors';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import {
  enqueueReencryptSecrets,
  REENCRYPT_SECRETS_QUEUE,
  reencryptSecretsResultSchema,
} from '../../../platform/contracts/jobs/reencrypt-secrets-job';
import { closeRedis, createRedis, queuePrefix } from '../../../platform/redis/connection';

/** How long `reencryptSecrets` waits for the run before answering that it is still going. */
export const REENCRYPT_WAIT_MS = 30_000;

/**
 * `reencryptSecrets`: platform administrators run the worker's re-encryption now, after
 * prepending a new key to ENCRYPTION_KEYS everywhere, and learn how it went.
 */
export class SecretReencryptionService {
  constructor(
    private readonly request: RequestContext,
    private readonly runtime: SubgraphRuntime,
    /** The process's maintenance queue (the jobs admin's handle). */
    private readonly queue: Queue,
  ) {}

  /**
   * Enqueues a run (or joins the one waiting or running) and waits for it: the number of
   * secrets rewritten. CONFLICT when secrets stay under an older key; SERVICE_UNAVAILABLE when
   * the run takes longer than {@link REENCRYPT_WAIT_MS} (it goes on; asking again waits for
   * the same run).
   */
  async reencryptAll(): Promise<number> {
    // The field policy already let only platform administrators through; this is the service's
    // own check, so no other caller can start it by mistake.
    if (!this.request.platformAdmin) {
      throw new ForbiddenError('Re-encrypting secrets is for platform administrators');
    }
    const job = await enqueueReencryptSecrets(this.queue, {
      requestId: this.request.requestId,
      requestedBy: this.request.principal?.id ?? null,
    });
    this.runtime.logger.info({ jobId: job.id }, 'secret re-encryption requested');
    return this.waitFor(job);
  }

  private async waitFor(job: Job): Promise<number> {
    const { config, logger } = this.runtime;
    // QueueEvents blocks on a stream read: a connection of its own, for this wait only.
    const connection = createRedis(config, logger, { name: 'jobs:reencrypt-wait', blocking: true });
    const events = new QueueEvents(REENCRYPT_SECRETS_QUEUE, {
      connection,
      prefix: queuePrefix(config.REDIS_PREFIX),
    });
    try {
      let value: unknown;
      try {
        value = await job.waitUntilFinished(events, REENCRYPT_WAIT_MS);
      } catch (error) {
        const state = await job.getState().catch(() => 'unknown');
        if (state === 'failed') {
          // The worker's reason names owners and counts, never a secret.
          throw new ConflictError(`Re-encryption failed: ${(error as Error).message}`);
        }
        throw new ServiceUnavailableError(
          'The re-encryption is still running; ask again to wait for the same run',
        );
      }
      const parsed = reencryptSecretsResultSchema.parse(
        typeof value === 'string' ? JSON.parse(value) : value,
      );
      return parsed.reencrypted;
    } finally {
      await events.close().catch(() => undefined);
      await closeRedis(connection);
    }
  }
}
