import { In, type EntityManager } from 'typeorm';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class WebhookEndpointRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Newest first; bounded, since a tenant has few endpoints (index: tenant, created_at). */
  listForTenant(tenantId: string, limit: number): Promise<WebhookEndpointEntity[]> {
    return this.manager.find(WebhookEndpointEntity, {
      where: { tenantId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  findByIds(ids: readonly string[]): Promise<WebhookEndpointEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(WebhookEndpointEntity, { where: { id: In([...ids]) } });
  }
}
