import type { EntityManager } from 'typeorm';
import { DeadLetterRepository } from '../repositories/dead-letter.repository';

/**
 * The dead-letter store's write side: what every queue's worker calls once a job has failed
 * for good (the webhook delivery worker after a delivery's last attempt; the job watcher for
 * jobs that exhausted their attempts or stalled out). The `jobs.dead_letters` table is created
 * by the create-webhook-deliveries migration; the admin API (`deadLetters`, `replayDeadLetter`)
 * reads it.
 */
export interface DeadLetterInput {
  queue: string;
  jobId: string;
  jobName: string;
  /** Null for platform jobs (no tenant). */
  tenantId: string | null;
  /** Why the job failed for good, in words an operator understands. */
  reason: string;
  /** The job's data; sensitive fields are removed before it is stored. */
  data: Record<string, unknown>;
  /** Default: the job's `requestId` (every job carries its correlation at the top level). */
  requestId?: string | null;
  /** Attempts the job made (default 0: not known). */
  attemptsMade?: number;
  /** When it failed for good (default: now). */
  failedAt?: Date;
}

/** Stored data is bounded; a larger payload keeps only its top-level keys. */
const MAX_DATA_BYTES = 16 * 1024;
const MAX_REASON_LENGTH = 2_000;
/** Values under such keys never reach the store (nor the jobs admin's view of job data). */
const SENSITIVE_KEY =
  /pass(word|phrase)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential|signature|ciphertext/i;
export const REDACTED_VALUE = '[redacted]';

/**
 * A copy of job data fit to show or store: values under sensitive-looking keys become
 * `[redacted]`, at any depth (encrypted ones too). Job data should hold none; this is the
 * second line.
 */
export function redactJobData(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  return redact(data, 0) as Record<string, unknown>;
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 16) return REDACTED_VALUE;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SENSITIVE_KEY.test(key) && inner !== null ? REDACTED_VALUE : redact(inner, depth + 1),
    ]),
  );
}

function storedData(data: Record<string, unknown>): string {
  const json = JSON.stringify(redactJobData(data)).replace(/\\u0000/g, '');
  if (Buffer.byteLength(json, 'utf8') <= MAX_DATA_BYTES) return json;
  return JSON.stringify({ truncated: true, keys: Object.keys(data).slice(0, 50) });
}

/**
 * Serializes recording one job's dead letter in the caller's transaction: the job watcher and
 * the job's own handler may both see the same failure, and it must be recorded once.
 */
export function lockJobDeadLetter(
  manager: EntityManager,
  queue: string,
  jobId: string,
): Promise<void> {
  return new DeadLetterRepository(manager).lockJob(queue, jobId);
}

/**
 * Records one dead letter in the caller's transaction and returns its id. The transaction
 * must be scoped to `tenantId` (row-level security refuses otherwise), so the dead letter
 * commits with the state change that caused it.
 */
export function recordDeadLetter(manager: EntityManager, letter: DeadLetterInput): Promise<string> {
  const requestId =
    letter.requestId !== undefined
      ? letter.requestId
      : typeof letter.data.requestId === 'string'
        ? letter.data.requestId
        : null;
  return new DeadLetterRepository(manager).insert({
    tenantId: letter.tenantId,
    queue: letter.queue,
    jobId: letter.jobId,
    jobName: letter.jobName,
    reason: letter.reason.slice(0, MAX_REASON_LENGTH) || 'unknown',
    dataJson: storedData(letter.data),
    requestId: requestId?.slice(0, 128) ?? null,
    attemptsMade: letter.attemptsMade ?? null,
    failedAt: letter.failedAt ?? null,
  });
}
