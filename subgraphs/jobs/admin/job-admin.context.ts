import type { RequestContext } from '../../../platform/context/request-context';
import { requireTenant } from '../../../platform/context/request-context';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { parseId } from '../../../platform/graphql/ids';
import { DeadLetterService } from '../services/dead-letter.service';
import { JobAdminService, type JobScope } from '../services/job-admin.service';
import { PurgeRunService } from '../services/purge-run.service';
import type { JobQueues } from './job-queues';

/** What the jobs process builds once for the jobs admin (see job-admin.setup.ts). */
export interface JobAdminServices {
  queues: JobQueues;
}

export interface JobAdminContext {
  jobs: JobAdminService;
  deadLetters: DeadLetterService;
  purgeRuns: PurgeRunService;
  /** The request's tenant: what `jobs`, `cancelJob`… reach (platform admins in any tenant). */
  tenantScope(): JobScope;
  /** Every tenant's jobs, or one's (`tenantId`): the tenantless `admin…` fields. */
  platformScope(tenantId?: string | null): JobScope;
  /** Who asked, for the purge runs they start. */
  userId: string | null;
}

export function createJobAdminContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: JobAdminServices,
): JobAdminContext {
  const { dataSource } = runtime;
  return {
    jobs: new JobAdminService(services.queues, dataSource),
    deadLetters: new DeadLetterService(services.queues, dataSource),
    purgeRuns: new PurgeRunService(services.queues, dataSource),
    tenantScope: () => ({ kind: 'tenant', tenantId: requireTenant(request) }),
    platformScope: (tenantId) => ({
      kind: 'platform',
      tenantId: tenantId === null || tenantId === undefined ? null : parseId(tenantId, 'tenantId'),
    }),
    userId: request.principal?.kind === 'user' ? request.principal.id : null,
  };
}
