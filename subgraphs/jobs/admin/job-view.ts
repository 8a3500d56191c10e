import type { Job, JobType } from 'bullmq';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { ALL_QUEUES, type QueueName } from '../../../platform/contracts/jobs/queue-names';
import { correlationOf } from '../../../platform/contracts/jobs/job-correlation';
import { redactJobData } from '../dead-letters/dead-letter-sink';

/** The states the admin API shows, and the BullMQ states each one stands for. */
export const JOB_STATES = {
  WAITING: ['waiting', 'prioritized', 'waiting-children'],
  ACTIVE: ['active'],
  DELAYED: ['delayed'],
  COMPLETED: ['completed'],
  FAILED: ['failed'],
  PAUSED: ['paused'],
} as const satisfies Record<string, readonly JobType[]>;
export type JobState = keyof typeof JOB_STATES;

const STATE_OF = new Map<string, JobState>(
  Object.entries(JOB_STATES).flatMap(([state, types]) =>
    types.map((type) => [type, state as JobState] as const),
  ),
);
/** BullMQ names the waiting state `wait` in some answers and `waiting` in others. */
STATE_OF.set('wait', 'WAITING');

export function jobStateOf(bullState: string): JobState | null {
  return STATE_OF.get(bullState) ?? null;
}

/** A job as the admin API shows it: ids and correlation, data redacted. */
export interface JobView {
  /** `<queue>:<BullMQ job id>`: unique across queues, and all `cancelJob` needs. */
  id: string;
  queue: string;
  name: string;
  state: JobState;
  attemptsMade: number;
  attempts: number;
  failedReason: string | null;
  data: Record<string, unknown>;
  requestId: string | null;
  tenantId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function toJobView(job: Job, state: JobState): JobView {
  const correlation = correlationOf(job.data);
  return {
    id: jobKey(job.queueName, job.id!),
    queue: job.queueName,
    name: job.name,
    state,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason || null,
    data: redactJobData(job.data),
    requestId: correlation.requestId,
    tenantId: correlation.tenantId,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

export function jobKey(queue: string, jobId: string): string {
  return `${queue}:${jobId}`;
}

/** BullMQ ids are counters or custom strings; scheduler jobs' ids hold `:` themselves. */
const JOB_ID = /^[A-Za-z0-9:_.-]{1,200}$/;

/** `<queue>:<job id>` → its parts; BAD_USER_INPUT for anything that cannot be a job's id. */
export function parseJobKey(id: string): { queue: QueueName; jobId: string } {
  const colon = id.indexOf(':');
  const queue = id.slice(0, colon) as QueueName;
  const jobId = id.slice(colon + 1);
  if (colon < 1 || !ALL_QUEUES.includes(queue) || !JOB_ID.test(jobId)) {
    throw new ValidationError('id is not a job id (they look like "<queue>:<job id>")', {
      field: 'id',
    });
  }
  return { queue, jobId };
}

export function parseQueueName(queue: string | null | undefined): QueueName | null {
  if (queue === null || queue === undefined) return null;
  if (!ALL_QUEUES.includes(queue as QueueName)) {
    throw new ValidationError(`Unknown queue; one of: ${ALL_QUEUES.join(', ')}`, {
      field: 'queue',
    });
  }
  return queue as QueueName;
}
