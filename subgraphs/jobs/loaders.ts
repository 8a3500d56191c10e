import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db';
import type { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { EventRepository, type EventRecord } from './repositories/event.repository';
import { WebhookEndpointRepository } from './repositories/webhook-endpoint.repository';

export interface JobsLoaders {
  endpointById: DataLoader<string, WebhookEndpointEntity | null>;
  eventById: DataLoader<string, EventRecord | null>;
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
  };
}
