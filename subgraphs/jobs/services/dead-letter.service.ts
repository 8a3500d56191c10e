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
import { parseId } from '../../../platform/graphql/ids';
import { ALL_QUEUES, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';
import type { JobQueues } from '../admin/job-queues';
import { jobKey, jobStateOf, parseQueueName, toJobView, type JobView } from '../admin/job-view';
import { platformScope, scopeOf } from '../../../platform/db/scope';
import { REDACTED_VALUE } from '../dead-letters/dead-letter-sink';
import {
  DeadLetterRepository,
  type DeadLetterRecord,
} from '../repositories/dead-letter.repository';
import type { JobScope } from './job-admin.service';

export interface DeadLetterListArgs {
  queue?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Attempts a replayed job gets at most (it gets as many as the original made, at least one). */
const MAX_REPLAY_ATTEMPTS = 25;
/**
 * Jobs that failed for good (jobs.dead_letters, written by the worker's watcher and the
 * webhook delivery worker): listed newest first, and replayed as a new job.
 */
export class DeadLetterService {
  constructor(
    private readonly queues: JobQueues,
    private readonly dataSource: DataSource,
  ) {}

  async list(scope: JobScope, args: DeadLetterListArgs): Promise<Connection<DeadLetterRecord>> {
    const size = pageSize(args.first);
    const queue = parseQueueName(args.queue);
    const after = deadLetterCursor(args.after);
    const rows =
      scope.kind === 'tenant'
        ? await scopeOf(this.dataSource, scope.tenantId).read((manager) =>
            new DeadLetterRepository(manager).page({ queue, after, limit: size + 1 }),
          )
        : await platformScope(this.dataSource).read((manager) =>
            new DeadLetterRepository(manager).pageAcrossTenants({
              queue,
              tenantId: scope.tenantId,
              after,
              limit: size + 1,
            }),
          );
    return toConnection(rows, size, (row) => ({ value: row.cursorAt, id: row.id }));
  }

  /**
   * Enqueues the dead letter's job again under a new job id, with the same name and data
   * (sensitive values were never stored), correlated to this request, and marks the dead
   * letter replayed; CONFLICT when it already was.
   */
  async replay(scope: JobScope, rawId: string): Promise<JobView> {
    const id = parseId(rawId);
    const tenantId = await this.tenantOf(scope, id);
    return scopeOf(this.dataSource, tenantId).run(async (manager) => {
      const repository = new DeadLetterRepository(manager);
      const letter = await repository.lock(id);
      if (!letter) throw new NotFoundError('Dead letter');
      if (letter.replayedAt) {
        throw new ConflictError(
          `The dead letter was already replayed, as job ${jobKey(letter.queue, letter.replayedJobId ?? '?')}`,
        );
      }
      if (!ALL_QUEUES.includes(letter.queue as QueueName)) {
        throw new ConflictError(`The queue ${letter.queue} no longer exists`);
      }
      const queueName = letter.queue as QueueName;
      // A delivery job only acts for the job id its delivery row names: a copy under a new id
      // would stand down and send nothing. The delivery itself is restarted instead.
      if (queueName === QueueName.WEBHOOK_DELIVERY) {
        throw new ConflictError(
          'A webhook delivery is sent again with retryWebhookDelivery(id: <deliveryId>)',
        );
      }
      const job = await this.queues.get(queueName).add(letter.jobName, replayData(letter), {
        attempts: Math.min(Math.max(1, letter.attemptsMade), MAX_REPLAY_ATTEMPTS),
        backoff: { type: 'exponential', delay: 5_000 },
      });
      await repository.markReplayed(letter.id, job.id!);
      const view = toJobView(job, 'WAITING');
      await appendEvent(manager, {
        type: EventType.DEAD_LETTER_REPLAYED,
        tenantId: letter.tenantId,
        payload: {
          deadLetterId: letter.id,
          queue: letter.queue,
          failedJobId: jobKey(letter.queue, letter.jobId),
          jobId: view.id,
        },
      });
      return view;
    });
  }

  /** The dead letter's job, live while its queue keeps it, else as the dead letter recorded it. */
  async jobOf(letter: DeadLetterRecord): Promise<JobView> {
    if (ALL_QUEUES.includes(letter.queue as QueueName)) {
      const live = await this.queues.get(letter.queue as QueueName).getJob(letter.jobId);
      const state = live ? jobStateOf(await live.getState()) : null;
      const view = live && state ? toJobView(live, state) : null;
      if (view && view.tenantId === letter.tenantId) return view;
    }
    return {
      id: jobKey(letter.queue, letter.jobId),
      queue: letter.queue,
      name: letter.jobName,
      state: 'FAILED',
      attemptsMade: letter.attemptsMade,
      attempts: letter.attemptsMade,
      failedReason: letter.reason,
      data: letter.data,
      requestId: letter.requestId,
      tenantId: letter.tenantId,
      createdAt: letter.failedAt,
      finishedAt: letter.failedAt,
    };
  }

  /** The scope to replay in: the tenant's own, or the dead letter's for platform admins. */
  private async tenantOf(scope: JobScope, id: string): Promise<string | null> {
    if (scope.kind === 'tenant') return scope.tenantId;
    const found = await new DeadLetterRepository(this.dataSource.manager).scopeOf(id);
    if (!found || (scope.tenantId !== null && found.tenantId !== scope.tenantId)) {
      throw new NotFoundError('Dead letter');
    }
    return found.tenantId;
  }
}

/** The stored data minus redacted values, correlated to this request in the letter's tenant. */
function replayData(letter: DeadLetterRecord): Record<string, unknown> {
  const kept = Object.fromEntries(
    Object.entries(letter.data).filter(
      ([key, value]) =>
        value !== REDACTED_VALUE && !['requestId', 'tenantId', 'actor', 'replayOf'].includes(key),
    ),
  );
  return correlatedJobData({ ...kept, replayOf: letter.id }, { tenantId: letter.tenantId });
}

function deadLetterCursor(after: string | null | undefined): CursorPosition | null {
  const cursor = decodeCursor(after);
  if (cursor && Number.isNaN(Date.parse(cursor.value))) {
    throw new ValidationError('after is not a cursor of dead letters', { field: 'after' });
  }
  return cursor;
}

export type DeadLetterConnectionModel = Connection<DeadLetterRecord>;
