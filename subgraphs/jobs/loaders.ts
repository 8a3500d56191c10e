import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db/scope';
import { byIdLoader } from '../../platform/graphql/by-id-loader';
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
    endpointById: byIdLoader(
      (ids) => scope.lookup((manager) => new WebhookEndpointRepository(manager).findByIds(ids)),
      (endpoint) => endpoint.id,
    ),
    eventById: byIdLoader(
      (ids) => scope.lookup((manager) => new EventRepository(manager).findByIds(ids)),
      (event) => event.id,
    ),
    deliveryById: byIdLoader(
      (ids) => scope.lookup((manager) => new WebhookDeliveryRepository(manager).findByIds(ids)),
      (delivery) => delivery.id,
    ),
    attemptsByDeliveryId: byIdLoader(
      (ids) => scope.lookup((manager) => new WebhookDeliveryRepository(manager).attemptsOf(ids)),
      (attempt) => attempt.deliveryId,
      { many: true },
    ),
  };
}
