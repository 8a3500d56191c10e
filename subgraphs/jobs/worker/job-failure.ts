import {
  DelayedError,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
} from 'bullmq';
import { DomainError } from '../../../platform/errors/domain-errors';
import { MailDeliveryError } from '../../../platform/mail/smtp-mailer';

/**
 * Coded reasons a tenant reads when one of its jobs failed on something inside Tessera, in
 * front of the message: `Job.failedReason`, `DeadLetter.reason` and the
 * `jobs.job.dead_lettered` payload (which every VIEWER reads).
 */
export const JobFailureCode = {
  /** The mail transport (the SMTP relay) did not take a message. */
  MAIL_TRANSPORT_FAILED: 'MAIL_TRANSPORT_FAILED',
  /** Anything else that failed inside Tessera (a database, a service, a bug). */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type JobFailureCode = (typeof JobFailureCode)[keyof typeof JobFailureCode];

const CODED_MESSAGES: Record<JobFailureCode, string> = {
  MAIL_TRANSPORT_FAILED: 'the mail transport did not accept the message',
  INTERNAL_ERROR: 'the job failed inside Tessera',
};

/**
 * A failure whose message was written for the tenant: it names only the tenant's own things
 * (its endpoints, its data), never a host, a query or a stack. Shown as it is.
 */
export class PublicJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublicJobError';
  }
}

/**
 * The error a tenant's job fails with, as the tenant reads it. Messages written for tenants
 * (domain errors, PublicJobError, and UnrecoverableError, which only our code throws with
 * verdicts of its own) stay as they are; any other text, such as a mail server's answer naming
 * internal hosts or a database error, becomes a coded reason, and the original rides along as
 * the `cause`, so the worker's log (pino prints causes) keeps every detail. An unrecoverable
 * failure stays unrecoverable; BullMQ's control-flow errors pass untouched.
 */
export function tenantFacingError(error: unknown): Error {
  if (
    error instanceof DomainError ||
    error instanceof PublicJobError ||
    error instanceof UnrecoverableError ||
    error instanceof DelayedError ||
    error instanceof WaitingError ||
    error instanceof WaitingChildrenError ||
    error instanceof RateLimitError
  ) {
    return error;
  }
  const code =
    error instanceof MailDeliveryError
      ? JobFailureCode.MAIL_TRANSPORT_FAILED
      : JobFailureCode.INTERNAL_ERROR;
  return new PublicJobError(`${code}: ${CODED_MESSAGES[code]} (details in the worker's log)`, {
    cause: error,
  });
}
