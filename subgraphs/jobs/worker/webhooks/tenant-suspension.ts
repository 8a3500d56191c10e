import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../../platform/db/scope';
import { EventType } from '../../../../platform/events/event-types';
import { type PublishedEvent } from '../../../../platform/events/channel';
import {
  TENANT_STATUSES,
  type TenantStatus,
} from '../../../../platform/contracts/tenancy/tenant-status-values';
import { TenantStatusRepository } from '../../repositories/tenant-status.repository';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import type { WebhookFanOut } from '../../relay/relay-fan-out-hook';

/**
 * The relay's other hook, run on each batch before the fan-out: every
 * `tenancy.tenant.status_changed` event is recorded in jobs.tenant_statuses, where delivery jobs
 * look before sending (a suspended tenant's deliveries are held: put back, not attempted, not
 * dead). A reinstatement sends the tenant's held deliveries at once by promoting their delayed
 * jobs. Idempotent, as the relay may hand a batch over twice: an old event changes no newer
 * status, and promoting is asked again of whatever is still held.
 */
export function createSuspensionFollower(deps: {
  dataSource: DataSource;
  /** The `webhook-delivery` queue. */
  queue: Queue;
  logger: Logger;
}): WebhookFanOut {
  return async (events) => {
    for (const event of events) {
      const status = statusSet(event);
      if (!status || !event.tenantId) continue;
      const tenantId = event.tenantId.toLowerCase();
      const held = await tenantScope(deps.dataSource, tenantId).run(async (manager) => {
        const statuses = new TenantStatusRepository(manager);
        await statuses.record(tenantId, status, event.seq, new Date(event.occurredAt));
        // After the commit, a held delivery either is in this list or sees the tenant active.
        return (await statuses.isSuspended(tenantId))
          ? []
          : new WebhookDeliveryRepository(manager).heldJobIds(tenantId);
      });
      const resumed = await promoteDelayed(deps.queue, held);
      deps.logger.info(
        { tenantId, status, seq: event.seq, resumed },
        status === 'SUSPENDED'
          ? 'tenant suspended: its webhook deliveries wait'
          : 'tenant reinstated: its held webhook deliveries resume',
      );
    }
  };
}

function statusSet(event: PublishedEvent): TenantStatus | null {
  if (event.type !== EventType.TENANT_STATUS_CHANGED) return null;
  const to = event.payload.to;
  return TENANT_STATUSES.includes(to as TenantStatus) ? (to as TenantStatus) : null;
}

/** Moves the jobs still waiting in the delayed set to the front; returns how many. */
async function promoteDelayed(queue: Queue, jobIds: readonly string[]): Promise<number> {
  let promoted = 0;
  for (const jobId of jobIds) {
    const job = await queue.getJob(jobId);
    if (!job || !(await job.isDelayed())) continue;
    // It may have woken by itself in between: then there is nothing to promote.
    await job.promote().then(
      () => (promoted += 1),
      () => undefined,
    );
  }
  return promoted;
}
