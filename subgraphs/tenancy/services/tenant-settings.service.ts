import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { tenantScope, type TenantScope } from '../../../platform/db/scope';
import { ForbiddenError, NotFoundError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { byIdLoader } from '../../../platform/graphql/by-id-loader';
import { normalizeOrigin } from '../../../platform/contracts/tenancy/tenant-settings';
import type { TenantEntity } from '../entities/tenant.entity';
import type { TenantSettingsEntity } from '../entities/tenant-settings.entity';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';
import {
  TenantSettingsRepository,
  type StoredTenantSettings,
} from '../repositories/tenant-settings.repository';
import {
  applySettingsInput,
  NO_OVERRIDES,
  toSettingsModel,
  type TenantSettingsInput,
  type TenantSettingsModel,
} from './tenant-settings-input';
import { requireTenantRole } from './tenant-access';

export type { TenantSettingsModel };

/** What the tenancy process decides once for settings (see tenant-lifecycle.setup.ts). */
export interface TenantSettingsOptions {
  /** http origins are accepted outside production only. */
  allowHttpOrigins: boolean;
  /** Called once a change of the tenant's allowed origins is committed (gateways' caches). */
  originsChanged?: (tenantId: string) => Promise<void>;
}

/**
 * A tenant's settings: read by its members (`Tenant.settings`, the gateway requires a role in
 * the request's tenant) and platform administrators, changed by its OWNERs and ADMINs.
 */
export class TenantSettingsService {
  private readonly scope: TenantScope;
  /** Per request: a page of tenants costs one query (the admin listing primes it). */
  private readonly loader: DataLoader<string, TenantSettingsOf>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly options: TenantSettingsOptions,
  ) {
    this.scope = tenantScope(dataSource, request);
    this.loader = byIdLoader(
      (ids) =>
        // Each tenant in its own transaction: row-level security shows one tenant at a time.
        // Outside a platform admin's listing (primed) there is only the request's tenant.
        Promise.all(
          ids.map((id) =>
            tenantScope(dataSource, id)
              .lookup((manager) => new TenantSettingsRepository(manager).find(id))
              .then((found) => settingsOf(id, found ? stored(found) : NO_OVERRIDES)),
          ),
        ),
      (settings) => settings.tenantId,
      // Every tenant has settings (defaults when none are stored): a miss is a bug.
      { missing: (id) => new Error(`no settings answered for tenant ${id}`) },
    );
  }

  /**
   * `Tenant.settings`: the request's own tenant, or any tenant for a platform administrator.
   * Another tenant's settings are not the caller's to read, even if it is a member there.
   */
  of(tenant: TenantEntity): Promise<TenantSettingsModel> {
    const id = tenant.id.toLowerCase();
    if (id !== this.request.tenantId?.toLowerCase() && !this.request.platformAdmin) {
      throw new ForbiddenError(
        "A tenant's settings are read with its id in X-Tenant-Id, by its members",
      );
    }
    return this.loader.load(id).then(({ settings }) => settings);
  }

  /** Hands settings already read (the admin listing) to `of`, saving a query per tenant. */
  prime(tenantId: string, settings: StoredTenantSettings): void {
    const id = tenantId.toLowerCase();
    this.loader.clear(id).prime(id, settingsOf(id, settings));
  }

  /** `updateTenantSettings`: OWNERs and ADMINs. Returns the tenant, its settings primed. */
  async update(input: TenantSettingsInput): Promise<TenantEntity> {
    requireTenantRole(this.request, 'ADMIN', 'change its settings');
    const tenantId = this.scope.tenantId;
    const { tenant, settings, changed } = await this.scope.run(async (manager) => {
      // The tenant's row lock serializes settings changes: each applies to the latest ones.
      const tenant = await new TenantLifecycleRepository(manager).lockLive(tenantId);
      if (!tenant) throw new NotFoundError('Tenant');
      const repository = new TenantSettingsRepository(manager);
      const existing = await repository.find(tenantId);
      const { next, changed } = applySettingsInput(
        existing ? stored(existing) : NO_OVERRIDES,
        input,
        { allowHttp: this.options.allowHttpOrigins },
      );
      const saved = stored(await repository.save(tenantId, next));
      await appendEvent(manager, {
        type: EventType.TENANT_SETTINGS_UPDATED,
        payload: { tenantId, changed, settings: toSettingsModel(saved) },
      });
      return { tenant, settings: saved, changed };
    });
    this.prime(tenantId, settings);
    if (changed.includes('allowedOrigins')) await this.options.originsChanged?.(tenantId);
    return tenant;
  }
}

function stored(entity: TenantSettingsEntity): StoredTenantSettings {
  return {
    eventsRetentionDays: entity.eventsRetentionDays,
    webhookDeliveriesRetentionDays: entity.webhookDeliveriesRetentionDays,
    deletedAssetsRetentionDays: entity.deletedAssetsRetentionDays,
    sessionsRetentionDays: entity.sessionsRetentionDays,
    maxSessionsPerUser: entity.maxSessionsPerUser,
    allowedOrigins: entity.allowedOrigins,
  };
}

/**
 * The gateway's CORS question (through the internal route, signature verified): the origins
 * tenants allow, optionally of one tenant and/or only the one asked about. An origin that
 * cannot be one after normalization is allowed by nobody.
 */
export async function allowedOrigins(
  dataSource: DataSource,
  question: { origin?: string; tenantId?: string },
): Promise<string[]> {
  let origin: string | undefined;
  if (question.origin !== undefined) {
    // Stored origins were checked against the deployment's http rule when saved.
    const normalized = normalizeOrigin(question.origin, { allowHttp: true });
    if (!normalized) return [];
    origin = normalized;
  }
  return new TenantSettingsRepository(dataSource.manager).allowedOrigins({
    tenantId: question.tenantId?.toLowerCase(),
    origin,
  });
}

/** A tenant's settings with the tenant they belong to, as the loader keys them. */
interface TenantSettingsOf {
  tenantId: string;
  settings: TenantSettingsModel;
}

function settingsOf(tenantId: string, stored: StoredTenantSettings): TenantSettingsOf {
  return { tenantId, settings: toSettingsModel(stored) };
}
