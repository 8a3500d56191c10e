import { platformScope } from '../../../platform/db/scope';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { anonymousContext, runWithContext } from '../../../platform/context/request-context';
import { retentionPurgeCall } from '../../../platform/contracts/subgraphs/retention-purge';
import {
  tenantRetentionCall,
  type TenantRetentionAnswer,
} from '../../../platform/contracts/tenancy/tenant-retention';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { InternalClient } from '../../../platform/internal-calls/client';
import type { SubgraphName } from '../../../platform/paths';
import { DEFAULT_PURGE_BATCH } from '../../../platform/contracts/subgraphs/retention-batch';
import {
  PURGE_TARGET_SPECS,
  type PurgeTarget,
  type PurgeTargetSpec,
} from '../../../platform/contracts/jobs/purge-targets';
import { retentionPurgeJobSchema } from '../../../platform/contracts/jobs/retention-purge-job';
import { DEFAULT_RETENTION_DAYS } from '../../../platform/contracts/tenancy/tenant-settings';
import { PurgeRunRepository } from '../repositories/purge-run.repository';
import { maintainJournal, type JournalMaintenanceOptions } from './journal-maintenance';
import { purgeFinishedJobs } from './purge-finished-jobs.processor';

const DAY_MS = 86_400_000;
/** Calls for one tenant (or the global rows) before the run gives up on it; each lasts ≤ ~10 s. */
const MAX_CALLS_PER_SCOPE = 1_000;
/** Tenants purged at once: enough to get through many small tenants, few enough to be gentle. */
const TENANT_CONCURRENCY = 4;
/** Journal scopes read per page (events.retention_scopes caps it there too). */
const SCOPE_PAGE = 1_000;

type RetentionDays = TenantRetentionAnswer['tenants'][number]['retentionDays'];

export interface RetentionPurgeOptions {
  dataSource: DataSource;
  /** Every queue the worker runs: the finished-jobs target cleans them. */
  queues: readonly Queue[];
  /** Calls the owners' retention routes and tenancy's retention settings. */
  internal: InternalClient;
  jobRetentionHours: number;
  logger: Logger;
  now?: () => number;
  /** The journal's partitions: months kept ahead, and the gauge of how many there are. */
  journal?: Pick<JournalMaintenanceOptions, 'monthsAhead' | 'partitions'>;
}

export interface RetentionPurgeResult {
  runId: string;
  target: PurgeTarget;
  deleted: number;
}

/**
 * The `retention-purge` job: one run of one target (platform/contracts/jobs/purge-targets.ts).
 * Records the run in jobs.purge_runs (or finishes the one `runPurge` recorded), asks the
 * owning subgraph to delete expired rows tenant by tenant, each tenant with its own retention
 * (read from tenancy), and ends the run with what went, or why it stopped, plus a platform
 * event. A failed run throws, so the job fails and the dead-letter watcher sees it too.
 */
export async function runRetentionPurge(
  data: unknown,
  options: RetentionPurgeOptions,
  /**
   * Told the id of a run this call recorded, to keep it in the job's data: a job handed back
   * at shutdown, or taken over after its worker died, then finishes the same run.
   */
  remember?: (runId: string) => Promise<unknown>,
): Promise<RetentionPurgeResult> {
  const { target, runId } = retentionPurgeJobSchema.parse(data) as {
    target: PurgeTarget;
    runId?: string;
  };
  const runs = new PurgeRunRepository(options.dataSource.manager);
  let id = runId;
  if (id) await runs.start(id);
  else {
    id = (await runs.create({ target, trigger: 'schedule', requestedBy: null })).id;
    await remember?.(id);
  }

  let deleted = 0;
  let error: string | null = null;
  try {
    await purgeTarget(target, options, (count) => {
      deleted += count;
    });
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  }
  await runs.finish(id, { deleted, error });
  await runWithContext(anonymousContext(`purge-run-${id}`), () =>
    platformScope(options.dataSource).run((manager) =>
      appendEvent(manager, {
        type: error ? EventType.PURGE_RUN_FAILED : EventType.PURGE_RUN_FINISHED,
        tenantId: null,
        actor: { kind: 'system', id: null },
        payload: { runId: id, target, deleted, ...(error && { error: error.slice(0, 500) }) },
      }),
    ),
  );
  if (error) {
    options.logger.error({ target, runId: id, deleted, error }, 'retention purge failed');
    throw new Error(`retention purge of ${target} failed: ${error}`);
  }
  options.logger.info({ target, runId: id, deleted }, 'retention purge finished');
  return { runId: id, target, deleted };
}

async function purgeTarget(
  target: PurgeTarget,
  options: RetentionPurgeOptions,
  progress: (deleted: number) => void,
): Promise<void> {
  const spec = PURGE_TARGET_SPECS[target];
  const now = options.now?.() ?? Date.now();
  if (spec.owner === 'worker') {
    progress(await purgeFinishedJobs(options.queues, options.jobRetentionHours * 3_600_000));
    return;
  }
  const cutoff = (days: number) => new Date(now - days * DAY_MS);
  const purge = (tenantId: string | null, days: number) =>
    purgeScope(target, spec, { tenantId, before: cutoff(days) }, options, progress);

  if (spec.scope === 'global') {
    await purge(null, daysFor(spec, null));
    return;
  }
  const retention = await tenantRetention(options);
  const platformDays = daysFor(spec, null);
  const tenantDays = (tenantId: string) => daysFor(spec, retention.get(tenantId) ?? null);
  // The journal outlives tenant purges, so its tenants come from the journal itself; every
  // other target's rows go with a deleted tenant, so tenancy's live tenants are all of them.
  const tenants =
    target === 'events' ? await journalScopes(options.dataSource) : [...retention.keys()];
  // Scopes keeping rows for `wholeMonthsFrom` days or more lose them only with their month.
  let wholeMonthsFrom = Infinity;
  if (target === 'events') {
    // Whole months past the longest retention are archived and dropped first; the scopes with
    // that longest retention then need no row deletes (docs/event-journal.md).
    wholeMonthsFrom = tenants.reduce((most, id) => Math.max(most, tenantDays(id)), platformDays);
    await maintainJournal(
      {
        ...options.journal,
        dataSource: options.dataSource,
        internal: options.internal,
        logger: options.logger,
      },
      now,
      wholeMonthsFrom,
      progress,
    );
  }
  if (spec.scope === 'tenants-and-platform' && platformDays < wholeMonthsFrom) {
    await purge(null, platformDays);
  }
  const rowByRow = tenants.filter((tenantId) => tenantDays(tenantId) < wholeMonthsFrom);
  await inParallel(rowByRow, TENANT_CONCURRENCY, (tenantId) =>
    purge(tenantId, tenantDays(tenantId)),
  );
}

/** A tenant's days for the target: its setting, the platform default, or the fixed span. */
function daysFor(spec: PurgeTargetSpec, days: RetentionDays | null): number {
  const retention = spec.retention;
  if ('days' in retention) return retention.days;
  if ('setting' in retention)
    return days?.[retention.setting] ?? DEFAULT_RETENTION_DAYS[retention.setting];
  throw new Error('finished jobs have no retention in days');
}

/** Calls the owner's retention route for one scope until it reports nothing more to do. */
async function purgeScope(
  target: PurgeTarget,
  spec: PurgeTargetSpec,
  scope: { tenantId: string | null; before: Date },
  options: RetentionPurgeOptions,
  progress: (deleted: number) => void,
): Promise<void> {
  const owner = spec.owner as SubgraphName;
  for (let call = 0; ; call += 1) {
    if (call >= MAX_CALLS_PER_SCOPE) {
      throw new Error(
        `${owner} did not finish purging ${target} of ${scope.tenantId ?? 'the platform'}`,
      );
    }
    const answer = await options.internal.call(
      retentionPurgeCall,
      {
        target,
        tenantId: scope.tenantId,
        before: scope.before.toISOString(),
        batch: spec.batch ?? DEFAULT_PURGE_BATCH,
      },
      { to: owner },
    );
    progress(answer.deleted);
    if (answer.complete) return;
  }
}

/** Live tenants and their effective retention days, from tenancy, a page at a time. */
async function tenantRetention(
  options: RetentionPurgeOptions,
): Promise<Map<string, RetentionDays>> {
  const tenants = new Map<string, RetentionDays>();
  let after: string | null = null;
  do {
    const page: TenantRetentionAnswer = await options.internal.call(tenantRetentionCall, {
      after,
    });
    for (const tenant of page.tenants) tenants.set(tenant.tenantId, tenant.retentionDays);
    after = page.next;
  } while (after !== null);
  return tenants;
}

/** Every tenant with a journal, deleted ones included (events.retention_scopes). */
async function journalScopes(dataSource: DataSource): Promise<string[]> {
  const scopes: string[] = [];
  let after: string | null = null;
  for (;;) {
    const rows: { tenant_id: string }[] = await dataSource.query(
      `SELECT tenant_id FROM events.retention_scopes($1::uuid, $2)`,
      [after, SCOPE_PAGE],
    );
    scopes.push(...rows.map((row) => row.tenant_id));
    if (rows.length < SCOPE_PAGE) return scopes;
    after = rows[rows.length - 1]!.tenant_id;
  }
}

/** Runs `fn` over `items`, `concurrency` at a time; the first failure stops the others. */
async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  // Every lane stops before the run is recorded, so its count is what really went.
  const failure = (await Promise.allSettled(lanes)).find((lane) => lane.status === 'rejected');
  if (failure) throw failure.reason;
}
