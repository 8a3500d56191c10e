import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../../platform/db/scope';
import type { PublishedEvent } from '../../../../platform/events/channel';
import {
  WebhookDeliveryRepository,
  type InsertedDelivery,
  type NewDelivery,
} from '../../repositories/webhook-delivery.repository';
import { EventRepository } from '../../repositories/event.repository';
import { WebhookEndpointRepository } from '../../repositories/webhook-endpoint.repository';
import type { WebhookFanOut } from '../../relay/relay-fan-out-hook';
import {
  deliveryJobData,
  enqueueDeliveries,
  firstDeliveryJobId,
  type QueuedDelivery,
} from '../../webhooks/delivery-job';
import { isDeliverableEventType, matchesEventType } from '../../webhooks/event-filter';

/**
 * The relay's hook: for each tenant event of a batch, one delivery per ACTIVE endpoint of the
 * tenant whose filters match (and that existed when the event occurred), written as a row and
 * enqueued as a job with the id `<endpoint>-<event>`. Idempotent, as the relay may hand the
 * same batch over again: an existing row is found again rather than duplicated, and only rows
 * never attempted are enqueued (BullMQ ignores an id it already holds). Each job carries the
 * trace of the request that appended its event, so the worker's delivery continues it.
 */
export function createWebhookFanOut(deps: {
  dataSource: DataSource;
  queue: Queue;
  logger: Logger;
}): WebhookFanOut {
  return async (events) => {
    const byTenant = deliverableByTenant(events);
    const active = await new WebhookEndpointRepository(
      deps.dataSource.manager,
    ).tenantsWithActiveEndpoints([...byTenant.keys()]);
    for (const [tenantId, tenantEvents] of byTenant) {
      if (!active.has(tenantId)) continue;
      const eventsById = new Map(tenantEvents.map((event) => [event.id, event]));
      const { waiting, traces } = await tenantScope(deps.dataSource, tenantId).run(
        async (manager) => {
          const endpoints = await new WebhookEndpointRepository(manager).findByStatus(
            tenantId,
            'ACTIVE',
          );
          if (endpoints.length === 0) return { waiting: [], traces: new Map<string, string>() };
          const rows: NewDelivery[] = [];
          for (const event of tenantEvents) {
            const occurredAt = new Date(event.occurredAt);
            for (const endpoint of endpoints) {
              if (endpoint.createdAt > occurredAt) continue;
              if (!matchesEventType(endpoint.eventTypes, event.type)) continue;
              rows.push({
                tenantId,
                endpointId: endpoint.id,
                eventId: event.id,
                eventType: event.type,
                origin: 'event',
                replayId: null,
                syntheticEvent: null,
                jobId: firstDeliveryJobId(endpoint.id, event.id),
                requestId: event.requestId,
              });
            }
          }
          const repository = new WebhookDeliveryRepository(manager);
          const inserted: InsertedDelivery[] = [];
          for (let start = 0; start < rows.length; start += 1_000) {
            inserted.push(...(await repository.insertMany(rows.slice(start, start + 1_000))));
          }
          const fresh = inserted.filter(
            (row) => row.status === 'PENDING' && row.attemptCount === 0,
          );
          const traces = await new EventRepository(manager).traceparents([
            ...new Set(fresh.map((row) => row.eventId)),
          ]);
          return { waiting: fresh, traces };
        },
      );
      const jobs: QueuedDelivery[] = waiting.map((row) => {
        const event = eventsById.get(row.eventId)!;
        return {
          jobId: row.jobId,
          data: deliveryJobData(
            { deliveryId: row.id, endpointId: row.endpointId, eventId: row.eventId },
            {
              tenantId,
              requestId: event.requestId,
              actor: event.actor,
              traceparent: traces.get(row.eventId) ?? null,
            },
          ),
        };
      });
      await enqueueDeliveries(deps.queue, jobs);
      if (jobs.length > 0) {
        deps.logger.debug({ tenantId, deliveries: jobs.length }, 'webhook deliveries enqueued');
      }
    }
  };
}

/** The events webhooks deliver, by tenant. */
function deliverableByTenant(events: readonly PublishedEvent[]): Map<string, PublishedEvent[]> {
  const byTenant = new Map<string, PublishedEvent[]>();
  for (const event of events) {
    // Platform events have no tenant to deliver to; deliveries' own events never go out.
    if (!event.tenantId || !isDeliverableEventType(event.type)) continue;
    const tenantId = event.tenantId.toLowerCase();
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), event]);
  }
  return byTenant;
}
