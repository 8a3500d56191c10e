import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { tenantScope, type TenantScope } from '../../../platform/db/scope';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  ConflictError,
  ForbiddenError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { isUuid } from '../../../platform/graphql/ids';
import type { TenantEntity } from '../entities/tenant.entity';
import { MembershipRepository } from '../repositories/membership.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import { requireSignedInUser, type MembershipChanged } from './membership.service';

/** How many tenants one user may own: enough for real use, too few to flood the table. */
export const MAX_OWNED_TENANTS = 20;

/** The same pattern as the CHECK on tenancy.tenants.slug: 3-48 characters. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,46}[a-z0-9])$/;
const NAME_MAX_LENGTH = 100;

export class TenantService {
  private readonly scope: TenantScope;

  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly membershipChanged: MembershipChanged,
  ) {
    this.scope = tenantScope(dataSource, request);
  }

  /** The tenant the request is scoped to; null when it does not exist. */
  current(): Promise<TenantEntity | null> {
    return this.scope.lookup((manager) =>
      new TenantRepository(manager).findById(this.scope.tenantId),
    );
  }

  /**
   * A `Tenant` reference from another subgraph. Row-level security makes any tenant other
   * than the request's own resolve to null.
   */
  async byReference(id: string): Promise<TenantEntity | null> {
    if (!isUuid(id)) return null;
    return this.scope.lookup((manager) => new TenantRepository(manager).findById(id.toLowerCase()));
  }

  /**
   * Tenantless: creates a tenant with the caller as its OWNER. The id is chosen here so the
   * transaction can be scoped to the new tenant before its row exists: row-level security's
   * WITH CHECK then accepts both the tenant and the membership, and nothing else.
   */
  async create(input: { name: string; slug: string }): Promise<TenantEntity> {
    const userId = requireSignedInUser(this.request, 'create a tenant');
    const name = validName(input.name);
    const slug = validSlug(input.slug);
    const tenantId = randomUUID();

    const tenant = await tenantScope(this.dataSource, tenantId).run(async (manager) => {
      const memberships = new MembershipRepository(manager);
      await memberships.lockUser(userId);
      if ((await memberships.countOwnedBy(userId)) >= MAX_OWNED_TENANTS) {
        throw new ForbiddenError(
          `You already own ${MAX_OWNED_TENANTS} tenants, the most one user may own: delete one or transfer its ownership first`,
        );
      }
      const created = await new TenantRepository(manager).insert({ id: tenantId, slug, name });
      if (!created) throw new ConflictError(`The slug "${slug}" is taken`);
      await memberships.insert({ tenantId, userId, role: 'OWNER' });
      await appendEvent(manager, {
        type: EventType.TENANT_CREATED,
        tenantId,
        payload: { tenantId, slug, name, ownerId: userId },
      });
      return created;
    });
    // After the commit: a cached answer must never be dropped before the change is visible.
    await this.membershipChanged(tenantId, userId);
    return tenant;
  }
}

export function validName(raw: string): string {
  const name = raw.trim();
  // Code points, as PostgreSQL's length() counts them, not UTF-16 units.
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX_LENGTH) {
    throw new ValidationError(`name must be 1-${NAME_MAX_LENGTH} characters`, { field: 'name' });
  }
  if (/\p{Cc}/u.test(name)) {
    throw new ValidationError('name must not contain control characters', { field: 'name' });
  }
  return name;
}

function validSlug(raw: string): string {
  const slug = raw.trim();
  if (!SLUG.test(slug)) {
    throw new ValidationError(
      'slug must be 3-48 lower-case letters, digits and hyphens, not starting or ending with a hyphen',
      { field: 'slug' },
    );
  }
  return slug;
}
