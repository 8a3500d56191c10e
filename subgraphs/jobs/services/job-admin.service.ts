import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type CursorPosition,
} from '../../../platform/graphql/pagination';
import { ALL_QUEUES } from '../../../platform/contracts/jobs/queue-names';
import type { JobQueues } from '../admin/job-queues';
import {
  JOB_STATES,
  jobStateOf,
  parseJobKey,
  parseQueueName,
  toJobView,
  type JobState,
  type JobView,
} from '../admin/job-view';
import { scopeOf, type Scope } from '../../../platform/db/scope';
import { DeadLetterRepository } from '../repositories/dead-letter.repository';

/**
 * Whose jobs a caller reaches: a tenant's ADMIN those of the tenant (jobs whose correlation
 * names it), a platform administrator everyone's, or one tenant's (`tenantId`).
 */
export type JobScope =
  { kind: 'tenant'; tenantId: string } | { kind: 'platform'; tenantId: string | null };

export interface JobListArgs {
  queue?: string | null;
  state?: JobState | null;
  first?: number | null;
  after?: string | null;
}

/**
 * How many of the newest jobs of each queue and state a listing reads. Finished jobs are
 * bounded well below it (platform/contracts/jobs/job-retention.ts); a backlog deeper than this shows
 * its newest jobs.
 */
export const JOB_SCAN_LIMIT = 1_000;

/**
 * The jobs admin over BullMQ: list, cancel and retry. Redis holds no index by tenant, so a
 * listing reads the newest jobs of each queue and state and keeps those the caller may see;
 * a job of another tenant reads as not there, never as forbidden.
 */
export class JobAdminService {
  constructor(
    private readonly queues: JobQueues,
    private readonly dataSource: DataSource,
  ) {}

  /** Newest first (by creation), keyset on (created, id). */
  async list(scope: JobScope, args: JobListArgs): Promise<Connection<JobView>> {
    const size = pageSize(args.first);
    const queue = parseQueueName(args.queue);
    const after = jobCursor(args.after);
    const states = args.state ? [args.state] : (Object.keys(JOB_STATES) as JobState[]);
    const batches = await Promise.all(
      (queue ? [queue] : ALL_QUEUES).flatMap((name) =>
        states.map(async (state) => {
          const jobs = await this.queues
            .get(name)
            .getJobs([...JOB_STATES[state]], 0, JOB_SCAN_LIMIT - 1, false);
          return jobs
            .filter((job): job is Job => Boolean(job?.id))
            .map((job) => toJobView(job, state));
        }),
      ),
    );
    // A job that moved between two reads shows once.
    const byId = new Map<string, JobView>();
    for (const view of batches.flat()) {
      if (visible(scope, view) && !byId.has(view.id)) byId.set(view.id, view);
    }
    const ordered = [...byId.values()]
      .filter((view) => !after || isAfter(view, after))
      .sort((a, b) => (isAfter(a, position(b)) ? 1 : -1));
    return toConnection(ordered.slice(0, size + 1), size, position);
  }

  /** One job the caller may see, with its current state; NOT_FOUND otherwise. */
  async byId(scope: JobScope, id: string): Promise<{ job: Job; view: JobView }> {
    const { queue, jobId } = parseJobKey(id);
    const job = await this.queues.get(queue).getJob(jobId);
    const state = job ? jobStateOf(await job.getState()) : null;
    if (!job || !state) throw new NotFoundError('Job');
    const view = toJobView(job, state);
    if (!visible(scope, view)) throw new NotFoundError('Job');
    return { job, view };
  }

  /**
   * Removes a job that has not started (waiting, delayed, paused). A running job is refused
   * (CONFLICT): it finishes or fails on its own. A finished one has nothing to cancel.
   */
  async cancel(scope: JobScope, id: string): Promise<boolean> {
    const { job, view } = await this.byId(scope, id);
    if (view.state === 'ACTIVE') {
      throw new ConflictError(
        'The job is running and cannot be cancelled: it will finish or fail on its own',
      );
    }
    if (view.state === 'COMPLETED' || view.state === 'FAILED') {
      throw new ConflictError(`The job already ${view.state.toLowerCase()}: nothing to cancel`);
    }
    try {
      await job.remove();
    } catch {
      // Taken by a worker since it was read (locked), or owned by a job scheduler.
      throw new ConflictError('The job cannot be cancelled now: it has started running');
    }
    await this.record(view.tenantId, EventType.JOB_CANCELLED, view);
    return true;
  }

  /** Runs a FAILED job again (attempts counted afresh) and closes its dead letter. */
  async retry(scope: JobScope, id: string): Promise<JobView> {
    const { job, view } = await this.byId(scope, id);
    if (view.state !== 'FAILED') {
      throw new ConflictError(
        `Only a failed job can be retried; this one is ${view.state.toLowerCase()}`,
      );
    }
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch {
      throw new ConflictError('The job cannot be retried now: its state changed');
    }
    await this.record(view.tenantId, EventType.JOB_RETRIED, view, async (manager) => {
      await new DeadLetterRepository(manager).closeForJob(view.queue, job.id!);
    });
    return (await this.byId(scope, id)).view;
  }

  private async record(
    tenantId: string | null,
    type: EventType,
    view: JobView,
    more?: Parameters<Scope['run']>[0],
  ): Promise<void> {
    await scopeOf(this.dataSource, tenantId).run(async (manager) => {
      await more?.(manager);
      await appendEvent(manager, {
        type,
        tenantId,
        payload: { jobId: view.id, queue: view.queue, name: view.name },
      });
    });
  }
}

function visible(scope: JobScope, view: JobView): boolean {
  if (scope.kind === 'tenant') return view.tenantId === scope.tenantId;
  return scope.tenantId === null || view.tenantId === scope.tenantId;
}

function position(view: JobView): CursorPosition {
  return { value: String(view.createdAt.getTime()), id: view.id };
}

/** Whether `view` comes after `cursor` in newest-first order. */
function isAfter(view: JobView, cursor: CursorPosition): boolean {
  const created = view.createdAt.getTime();
  const at = Number(cursor.value);
  return created < at || (created === at && view.id < cursor.id);
}

function jobCursor(after: string | null | undefined): CursorPosition | null {
  const cursor = decodeCursor(after);
  if (cursor && !/^\d{1,16}$/.test(cursor.value)) {
    throw new ValidationError('after is not a cursor of jobs', { field: 'after' });
  }
  return cursor;
}

export type JobConnectionModel = Connection<JobView>;
