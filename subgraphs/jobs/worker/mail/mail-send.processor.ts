import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DecryptionError, type KeyRing } from '../../../../platform/crypto/key-ring';
import { MailDeliveryRepository } from '../../../../platform/mail/mail-delivery.repository';
import { type MailBody } from '../../../../platform/mail/durable-mailer';
import { type Mailer } from '../../../../platform/mail/mailer';
import type { SqlRunner } from '../../../../platform/mail/outbox-mailer';
import { JobName } from '../../../../platform/contracts/jobs/queue-names';
import type { MailMetrics } from './mail-metrics';

/** Mails one drain hands over at most; the next drain takes the rest. */
const DRAIN_BATCH = 500;
/**
 * A pending mail handed to the queue longer ago than this is handed over again: its job may
 * have been lost with Redis. Its job id is the mail's, so a job still waiting takes no copy.
 */
const REQUEUE_AFTER_SECONDS = 600;

export interface MailJobDeps {
  dataSource: SqlRunner;
  keyRing: KeyRing;
  /** The SMTP mailer. */
  mailer: Mailer;
  metrics: MailMetrics;
  logger: Logger;
  attempts: number;
  backoffMs: number;
}

const sendMailJobSchema = z.object({ deliveryId: z.uuid() });

/** One job per mail, retried with exponential backoff; a failed one stays for the dead letters. */
function sendMailJobOptions(deliveryId: string, deps: MailJobDeps): JobsOptions {
  return {
    jobId: `mail-${deliveryId}`,
    attempts: deps.attempts,
    backoff: { type: 'exponential', delay: deps.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  };
}

/** The `drain-mail` job: hands pending mails to the `mail` queue and counts what waits. */
export async function drainMail(queue: Queue, deps: MailJobDeps): Promise<{ enqueued: number }> {
  const deliveries = new MailDeliveryRepository(deps.dataSource);
  const ids = await deliveries.claimForQueue(DRAIN_BATCH, REQUEUE_AFTER_SECONDS);
  if (ids.length > 0) {
    await queue.addBulk(
      ids.map((deliveryId) => ({
        name: JobName.SEND_MAIL,
        // Transactional mail belongs to no tenant: a failure is a platform dead letter.
        data: { deliveryId, tenantId: null, requestId: null, actor: null },
        opts: sendMailJobOptions(deliveryId, deps),
      })),
    );
  }
  deps.metrics.depth.set(await deliveries.countPending());
  return { enqueued: ids.length };
}

/**
 * The `send-mail` job: decrypts one pending mail, sends it, and marks it sent (its body
 * blanked). A mail already sent or dead is skipped, so a repeated job never mails twice. A
 * failure is recorded on the row and thrown for BullMQ to retry; the last one marks the mail
 * dead (body blanked too) and leaves the job failed, where the dead-letter watcher records it.
 */
export async function sendMail(job: Job, deps: MailJobDeps): Promise<{ sent: boolean }> {
  const parsed = sendMailJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('send-mail job data is malformed');
  const deliveries = new MailDeliveryRepository(deps.dataSource);
  const mail = await deliveries.findPending(parsed.data.deliveryId);
  if (!mail) return { sent: false };
  let body: MailBody;
  try {
    body = JSON.parse(deps.keyRing.decrypt(mail.bodyCiphertext, mail.id)) as MailBody;
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    await deliveries.recordFailure(mail.id, error.message, true);
    deps.metrics.failed.inc({ outcome: 'dead' });
    throw new UnrecoverableError(`mail ${mail.id} cannot be decrypted: ${error.message}`);
  }
  try {
    await deps.mailer.send({
      to: mail.recipient,
      subject: mail.subject,
      kind: mail.kind,
      ...body,
    });
  } catch (error) {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const reason = error instanceof Error ? error.message : String(error);
    await deliveries.recordFailure(mail.id, reason, last);
    deps.metrics.failed.inc({ outcome: last ? 'dead' : 'retry' });
    deps.logger[last ? 'error' : 'warn'](
      { deliveryId: mail.id, kind: mail.kind, attemptsMade: job.attemptsMade + 1, err: error },
      last ? 'mail failed for good' : 'mail failed; retrying',
    );
    throw error;
  }
  await deliveries.markSent(mail.id);
  deps.metrics.sent.inc();
  return { sent: true };
}
