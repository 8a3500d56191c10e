import { In, type EntityManager } from 'typeorm';
import { WebhookEndpointEntity, type WebhookStatus } from '../entities/webhook-endpoint.entity';
import type { EndpointSecrets } from '../webhooks/webhook-message';

/** An endpoint with its encrypted secrets, for signing (never handed to a resolver). */
export type EndpointWithSecrets = WebhookEndpointEntity & EndpointSecrets;

export type EndpointChanges = Partial<
  Pick<
    WebhookEndpointEntity,
    | 'url'
    | 'description'
    | 'eventTypes'
    | 'rateLimitPerSecond'
    | 'status'
    | 'verifiedAt'
    | 'failingSince'
    | 'disabledReason'
    | 'secretCiphertext'
    | 'previousSecretCiphertext'
    | 'previousSecretExpiresAt'
  >
>;

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

  findById(id: string): Promise<WebhookEndpointEntity | null> {
    return this.manager.findOne(WebhookEndpointEntity, { where: { id } });
  }

  /** With the secrets; `lock` holds the row until the transaction ends (rotation, updates). */
  async findWithSecrets(id: string, lock = false): Promise<EndpointWithSecrets | null> {
    const query = this.manager
      .createQueryBuilder(WebhookEndpointEntity, 'e')
      .addSelect(['e.secretCiphertext', 'e.previousSecretCiphertext'])
      .where('e.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    return await query.getOne();
  }

  /** The tenant's endpoints in a status (index: tenant, status): the fan-out's candidates. */
  findByStatus(tenantId: string, status: WebhookStatus): Promise<WebhookEndpointEntity[]> {
    return this.manager.find(WebhookEndpointEntity, { where: { tenantId, status } });
  }

  /**
   * Which of these tenants have an ACTIVE endpoint, across tenants (through the SECURITY
   * DEFINER function of the create-webhook-deliveries migration): the fan-out's first filter.
   */
  async tenantsWithActiveEndpoints(tenantIds: readonly string[]): Promise<Set<string>> {
    if (tenantIds.length === 0) return new Set();
    const rows = await this.manager.query<{ tenant_id: string }[]>(
      `SELECT tenant_id FROM jobs.active_webhook_tenants($1::uuid[])`,
      [tenantIds],
    );
    return new Set(rows.map((row) => row.tenant_id));
  }

  async countForTenant(tenantId: string): Promise<number> {
    const rows: { count: number }[] = await this.manager.query(
      `SELECT count(*)::int AS count FROM jobs.webhook_endpoints WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0]!.count;
  }

  /**
   * Serializes endpoint creation within a tenant until the transaction ends, so two creations
   * at once cannot both pass the per-tenant limit.
   */
  async lockTenant(tenantId: string): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `jobs.webhook_endpoints:${tenantId}`,
    ]);
  }

  /**
   * Inserts the endpoint and answers it as a read would (secrets left out): the database's
   * timestamps come back with the INSERT, so no second query reads the row again.
   */
  async insert(
    endpoint: Omit<EndpointWithSecrets, 'createdAt' | 'updatedAt'>,
  ): Promise<WebhookEndpointEntity> {
    const result = await this.manager.insert(WebhookEndpointEntity, endpoint);
    const generated = result.generatedMaps[0] as Pick<
      WebhookEndpointEntity,
      'createdAt' | 'updatedAt'
    >;
    const { secretCiphertext: _secret, previousSecretCiphertext: _previous, ...visible } = endpoint;
    return Object.assign(new WebhookEndpointEntity(), visible, {
      createdAt: generated.createdAt,
      updatedAt: generated.updatedAt,
    });
  }

  async update(id: string, changes: EndpointChanges): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.manager.update(WebhookEndpointEntity, { id }, changes);
  }

  /** Ends a failure streak; touches (and locks) the row only when there is one. */
  async clearFailingSince(id: string): Promise<void> {
    await this.manager.query(
      `UPDATE jobs.webhook_endpoints SET failing_since = NULL, updated_at = now()
        WHERE id = $1 AND failing_since IS NOT NULL`,
      [id],
    );
  }

  /** Deletes the endpoint with its deliveries and their attempts (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const result = await this.manager.delete(WebhookEndpointEntity, { id });
    return (result.affected ?? 0) > 0;
  }
}
