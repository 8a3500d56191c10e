import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { correlatedJobData } from './job-correlation';
import { JobName, QueueName } from './queue-names';

/**
 * The `purge-tenant` job: enqueued by tenancy right after a tenant's deletion commits, run by
 * the worker, which empties the tenant's rows in every subgraph (tenancy's last). Every step
 * is idempotent, so BullMQ retries a failed run from the start.
 */
export const tenantPurgeJobSchema = z.object({ tenantId: z.uuid() });
export type TenantPurgeJob = z.infer<typeof tenantPurgeJobSchema>;

export const TENANT_PURGE_QUEUE = QueueName.TENANT_PURGE;

/** Retries over about three hours (5 s, doubling): enough to outlast a subgraph outage. */
export const TENANT_PURGE_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 5_000 },
};

/** One job per tenant: enqueuing the same tenant again while its job exists is a no-op. */
export function tenantPurgeJobId(tenantId: string): string {
  // BullMQ refuses ':' in custom ids.
  return `${JobName.PURGE_TENANT}-${tenantId.toLowerCase()}`;
}

export async function enqueueTenantPurge(queue: Queue, tenantId: string): Promise<string> {
  // The tenant being purged is also the correlation tenant: platform admins see the job there.
  const data = correlatedJobData({}, { tenantId: tenantId.toLowerCase() });
  const job = await queue.add(JobName.PURGE_TENANT, data, {
    ...TENANT_PURGE_JOB_OPTIONS,
    jobId: tenantPurgeJobId(tenantId),
  });
  return job.id!;
}
