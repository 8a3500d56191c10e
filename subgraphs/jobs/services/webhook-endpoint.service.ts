import type { TenantScope } from '../../../platform/db';
import { isUuid, parseId } from '../../../platform/graphql';
import type { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { JobsLoaders } from '../loaders';
import { WebhookEndpointRepository } from '../repositories/webhook-endpoint.repository';

/** The most endpoints one tenant may have; also bounds the unpaginated list. */
export const MAX_ENDPOINTS_PER_TENANT = 100;

export class WebhookEndpointService {
  constructor(
    private readonly scope: TenantScope,
    private readonly loaders: JobsLoaders,
  ) {}

  list(): Promise<WebhookEndpointEntity[]> {
    return this.scope.run((manager) =>
      new WebhookEndpointRepository(manager).listForTenant(
        this.scope.tenantId,
        MAX_ENDPOINTS_PER_TENANT,
      ),
    );
  }

  byId(id: string): Promise<WebhookEndpointEntity | null> {
    return this.loaders.endpointById.load(parseId(id));
  }

  async byReference(id: string): Promise<WebhookEndpointEntity | null> {
    return isUuid(id) ? this.loaders.endpointById.load(id.toLowerCase()) : null;
  }
}
