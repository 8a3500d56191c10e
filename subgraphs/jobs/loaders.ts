import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db';
import type { WebhookAttemptEntity } from './entities/webhook-attempt.entity';
import type { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import type { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { EventRepository, type EventRecord } from './repositories/event.repository';
import { WebhookDeliveryRepository } from './repositories/webhook-delivery.repository';
import { WebhookEndpointRepository } from './repositories/webhook-endpoint.repository';

export interface JobsLoaders {
  endpointById: DataLoader<string, WebhookEndpointEntity | null>;
  eventById: DataLoader<string, EventRecord | null>;
  deliveryById: DataLoader<string, WebhookDeliveryEntity | null>;
  /** Each delivery's attempts, oldest first: one query for a page of deliveries. */
  attemptsByDeliveryId: DataLoader<string, WebhookAttemptEntity[]>;
}

export function createLoaders(scope: TenantScope): JobsLoaders {
  return {
    endpointById: new DataLoader(async (ids) => {
      const endpoints = await scope.run((manager) =>
        new WebhookEndpointRepository(manager).findByIds(ids),
      );
      const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    eventById: new DataLoader(async (ids) => {
      const events = await scope.run((manager) => new EventRepository(manager).findByIds(ids));
      const byId = new Map(events.map((event) => [event.id, event]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    deliveryById: new DataLoader(async (ids) => {
      const deliveries = await scope.run((manager) =>
        new WebhookDeliveryRepository(manager).findByIds(ids),
      );
      const byId = new Map(deliveries.map((delivery) => [delivery.id, delivery]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    attemptsByDeliveryId: new DataLoader(async (ids) => {
      const attempts = await scope.run((manager) =>
        new WebhookDeliveryRepository(manager).attemptsOf(ids),
      );
      const byDelivery = new Map<string, WebhookAttemptEntity[]>();
      for (const attempt of attempts) {
        byDelivery.set(attempt.deliveryId, [
          ...(byDelivery.get(attempt.deliveryId) ?? []),
          attempt,
        ]);
      }
      return ids.map((id) => byDelivery.get(id) ?? []);
    }),
  };
}
