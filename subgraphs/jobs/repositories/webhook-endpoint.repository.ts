import { In, type EntityManager } from 'typeorm';
import { writeWithEvent, type PreparedEvent } from '../../../platform/events/append-event';
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

/**
 * The tenant lock (`Scope.run`'s `lockTenant`) endpoint creations hold, so two creations at once
 * cannot both pass the per-tenant limit.
 */
export const ENDPOINT_CREATION_LOCK = 'jobs.webhook_endpoints';

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

  /**
   * Inserts the endpoint unless the tenant already has `max`, journals `created` in the same
   * statement, and answers the endpoint as a read would (secrets left out; the database's
   * timestamps come back with the INSERT). Null when the tenant is at its limit: nothing is
   * written or journaled. The count, the row and its event take one round trip. In a
   * transaction holding {@link ENDPOINT_CREATION_LOCK}, the statement's snapshot is
   * taken after the lock, so it counts every endpoint a creation before it committed.
   */
  async insertWithinLimit(
    endpoint: Omit<EndpointWithSecrets, 'createdAt' | 'updatedAt'>,
    max: number,
    created: PreparedEvent,
  ): Promise<WebhookEndpointEntity | null> {
    const row = await writeWithEvent<{ created_at: Date; updated_at: Date }>(
      this.manager,
      `INSERT INTO jobs.webhook_endpoints
         (id, tenant_id, url, description, event_types, status, verified_at,
          rate_limit_per_second, secret_ciphertext, previous_secret_ciphertext,
          previous_secret_expires_at, failing_since, disabled_reason)
       SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text[], $6::text, $7::timestamptz,
              $8::integer, $9::text, $10::text, $11::timestamptz, $12::timestamptz, $13::text
        WHERE (SELECT count(*) FROM jobs.webhook_endpoints WHERE tenant_id = $2::uuid) < $14
       RETURNING created_at, updated_at`,
      [
        endpoint.id,
        endpoint.tenantId,
        endpoint.url,
        endpoint.description,
        endpoint.eventTypes,
        endpoint.status,
        endpoint.verifiedAt,
        endpoint.rateLimitPerSecond,
        endpoint.secretCiphertext,
        endpoint.previousSecretCiphertext,
        endpoint.previousSecretExpiresAt,
        endpoint.failingSince,
        endpoint.disabledReason,
        max,
      ],
      created,
    );
    if (!row) return null;
    const { secretCiphertext: _secret, previousSecretCiphertext: _previous, ...visible } = endpoint;
    return Object.assign(new WebhookEndpointEntity(), visible, {
      createdAt: row.created_at,
      updatedAt: row.updated_at,
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
