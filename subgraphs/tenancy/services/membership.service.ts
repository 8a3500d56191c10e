import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { UnauthenticatedError } from '../../../platform/errors/domain-errors';
import type { RoleLookupAnswer } from '../../../platform/contracts/tenancy/role-lookup';
import type { MembershipEntity, Role } from '../entities/membership.entity';
import type { TenantEntity } from '../entities/tenant.entity';
import { MembershipRepository } from '../repositories/membership.repository';

/** What the `Membership` GraphQL type resolves from. */
export interface MembershipModel {
  id: string;
  tenantId: string;
  role: Role;
  createdAt: Date;
  /** A reference the gateway resolves in the auth subgraph. */
  user: { id: string };
  /** Set when already read; otherwise `Membership.tenant` loads it (per-request DataLoader). */
  tenant?: TenantEntity;
}

export function toMembershipModel(
  membership: MembershipEntity,
  tenant?: TenantEntity,
): MembershipModel {
  return {
    id: membership.id,
    tenantId: membership.tenantId,
    role: membership.role,
    createdAt: membership.createdAt,
    user: { id: membership.userId },
    ...(tenant ? { tenant } : {}),
  };
}

/** Told after every committed membership change, so cached role answers are dropped. */
export type MembershipChanged = (tenantId: string, userId?: string) => Promise<void>;

/**
 * The signed-in user behind the request. API keys act for a tenant, not for a person, so
 * person-level operations (my tenants, creating one) refuse them like anonymous callers.
 */
export function requireSignedInUser(request: RequestContext, action: string): string {
  if (request.principal?.kind !== 'user') {
    throw new UnauthenticatedError(
      request.principal?.kind === 'apiKey'
        ? `API keys cannot ${action}: sign in as a user`
        : `Sign in to ${action}`,
    );
  }
  return request.principal.id;
}

export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
  ) {}

  /** Tenantless: the caller's memberships, each with its tenant, in every tenant. */
  async myTenants(): Promise<MembershipModel[]> {
    const userId = requireSignedInUser(this.request, 'list your tenants');
    const rows = await new MembershipRepository(this.dataSource.manager).ofUser(userId);
    return rows.map(({ membership, tenant }) => toMembershipModel(membership, tenant));
  }

  /**
   * The gateway's question before it lets a user act in a tenant. Only reachable through the
   * internal route, which has already verified the service signature.
   */
  async roleOf(tenantId: string, userId: string): Promise<RoleLookupAnswer> {
    const found = await new MembershipRepository(this.dataSource.manager).roleOf(tenantId, userId);
    return found ?? { tenantStatus: null, role: null };
  }
}
