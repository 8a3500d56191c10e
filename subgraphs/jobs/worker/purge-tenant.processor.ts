import type { Logger } from 'pino';
import { tenantPurgeJobSchema } from '../../../platform/queues';
import {
  TENANT_PURGE_PATH,
  tenantPurgeAnswerSchema,
  type TenantPurgeAnswer,
} from '../../../platform/tenancy';
import type { WorkerConfig } from './config';
import { callInternalRoute } from './internal-call';

/** A subgraph whose internal purge route the job calls, by its name and base URL. */
export interface PurgeTarget {
  name: string;
  url: string;
}

export interface TenantPurgeResult {
  tenantId: string;
  /** Rows deleted by this run, by `schema.table`. */
  deleted: Record<string, number>;
  total: number;
}

/** Calls to one subgraph before the run gives up on it (each deletes for up to ~10 s). */
const MAX_CALLS_PER_SUBGRAPH = 1_000;

/**
 * The subgraphs in purge order: tenancy last, so a tenant whose purge fails halfway still
 * exists, marked deleted and refused, and the retried job can finish it.
 */
export function purgeTargets(config: WorkerConfig): PurgeTarget[] {
  return [
    { name: 'auth', url: config.SUBGRAPH_AUTH_URL },
    { name: 'assets', url: config.SUBGRAPH_ASSETS_URL },
    { name: 'jobs', url: config.SUBGRAPH_JOBS_URL },
    { name: 'observability', url: config.SUBGRAPH_OBSERVABILITY_URL },
    { name: 'tenancy', url: config.SUBGRAPH_TENANCY_URL },
  ];
}

/**
 * The `purge-tenant` job: asks each subgraph, through its signed internal route, to delete
 * the deleted tenant's rows, repeating while a subgraph reports more to do. Any failure
 * throws, and BullMQ retries the whole run later; every step is idempotent.
 */
export async function purgeTenant(
  data: unknown,
  options: {
    targets: readonly PurgeTarget[];
    signingSecret: string;
    logger: Logger;
    /** One call's limit; a subgraph answers within its own ~10 s budget. */
    timeoutMs?: number;
  },
): Promise<TenantPurgeResult> {
  const { tenantId } = tenantPurgeJobSchema.parse(data);
  const deleted: Record<string, number> = {};
  for (const target of options.targets) {
    let complete = false;
    for (let call = 0; !complete; call += 1) {
      if (call >= MAX_CALLS_PER_SUBGRAPH) {
        throw new Error(`${target.name} did not finish purging tenant ${tenantId}`);
      }
      const answer = await callPurge(target, tenantId, options);
      for (const [table, count] of Object.entries(answer.deleted)) {
        deleted[table] = (deleted[table] ?? 0) + count;
      }
      complete = answer.complete;
    }
  }
  const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
  options.logger.info({ tenantId, deleted, total }, 'tenant purged');
  return { tenantId, deleted, total };
}

function callPurge(
  target: PurgeTarget,
  tenantId: string,
  options: { signingSecret: string; timeoutMs?: number },
): Promise<TenantPurgeAnswer> {
  return callInternalRoute({
    service: target.name,
    baseUrl: target.url,
    path: TENANT_PURGE_PATH,
    what: 'the tenant purge',
    body: { tenantId },
    answer: tenantPurgeAnswerSchema,
    signingSecret: options.signingSecret,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
