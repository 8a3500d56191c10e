import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { requireTenant } from '../../../platform/context/request-context';
import { scopeOf, tenantScope } from '../../../platform/db/scope';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent, type NewEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '../../../platform/graphql/pagination';
import { isUuid, parseId } from '../../../platform/graphql/ids';
import type { MembershipEntity, Role } from '../entities/membership.entity';
import type { TenantEntity } from '../entities/tenant.entity';
import type { TenancyLoaders } from '../loaders';
import {
  MEMBERSHIP_CHANGES_LOCK,
  MembershipRepository,
} from '../repositories/membership.repository';
import {
  atLeast,
  MEMBERS_READ_SCOPE,
  requireRequestRole,
  requireRole,
  requireUser,
  roleNow,
} from './member-access';
import {
  toMembershipModel,
  type MembershipChanged,
  type MembershipModel,
} from './membership.service';
import type { AuthCalls } from './auth-calls';
import { recordRoleLoss } from './role-loss';

/** The exact form {@link MembershipRepository.page} returns positions in. */
const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A tenant's members: listing them, and the changes OWNERs and ADMINs make. The rules:
 * only an OWNER makes or unmakes an OWNER, and a tenant always keeps at least one OWNER.
 * Every change takes the tenant's membership lock first and judges the actor by the role
 * stored at that moment, appends its event in the same transaction, and tells the gateways
 * after the commit so cached roles drop at once. A member who loses their role, or part of
 * it, loses with it the invitations and API keys it let them make (see role-loss.ts).
 */
export class MemberService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly loaders: TenancyLoaders,
    private readonly membershipChanged: MembershipChanged,
    private readonly auth: AuthCalls,
  ) {}

  /**
   * `Tenant.members`: oldest first. Any member of the request's tenant, or an API key of it
   * with `members:read`; platform administrators may list any tenant they can see.
   */
  async list(
    tenant: TenantEntity,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<MembershipModel>> {
    this.requireReader(tenant.id);
    const size = pageSize(args.first);
    const after = validPosition(decodeCursor(args.after));
    const rows = await scopeOf(this.dataSource, tenant.id).read((manager) =>
      new MembershipRepository(manager).page(
        tenant.id,
        after && { createdAt: after.value, id: after.id },
        size + 1,
      ),
    );
    // Every node's `tenant` is this one: no query at all for it.
    this.loaders.tenantById.prime(tenant.id, tenant);
    const connection = toConnection(rows, size, (row) => ({
      value: row.position.createdAt,
      id: row.position.id,
    }));
    return {
      nodes: connection.nodes.map((row) => toMembershipModel(row.membership)),
      pageInfo: connection.pageInfo,
    };
  }

  /** OWNERs and ADMINs; only an OWNER makes or unmakes an OWNER; the last OWNER stays one. */
  async updateRole(userIdArg: string, role: Role): Promise<MembershipModel> {
    const actorId = requireUser(this.request, 'change member roles');
    requireRequestRole(this.request, 'ADMIN', 'change member roles');
    const userId = parseId(userIdArg, 'userId');
    const tenantId = requireTenant(this.request);

    const updated = await this.change(tenantId, async (memberships, manager) => {
      const actorRole = await roleNow(memberships, this.request, tenantId, actorId);
      requireRole(actorRole, 'ADMIN', 'change member roles');
      const target = await requireMember(memberships, tenantId, userId);
      if ((target.role === 'OWNER' || role === 'OWNER') && actorRole !== 'OWNER') {
        throw new ForbiddenError('Only an OWNER can make or unmake an OWNER');
      }
      if (target.role === role) return { membership: target, changed: false };
      if (target.role === 'OWNER') await keepAnOwner(memberships, tenantId, lastOwnerDemotion);
      const membership = (await memberships.updateRole(tenantId, userId, role))!;
      const event: NewEvent = {
        type: EventType.MEMBER_ROLE_CHANGED,
        tenantId,
        payload: { userId, previousRole: target.role, role },
      };
      // A demotion also costs what the old role let them leave behind.
      if (atLeast(role, target.role)) {
        await appendEvent(manager, event);
      } else {
        await recordRoleLoss(manager, this.auth, this.request, { tenantId, userId, role, event });
      }
      return { membership, changed: true };
    });
    if (updated.changed) await this.membershipChanged(tenantId, userId);
    return toMembershipModel(updated.membership);
  }

  /** OWNERs and ADMINs; an ADMIN cannot remove an OWNER; the last OWNER cannot be removed. */
  async remove(userIdArg: string): Promise<boolean> {
    const actorId = requireUser(this.request, 'remove members');
    requireRequestRole(this.request, 'ADMIN', 'remove members');
    const userId = parseId(userIdArg, 'userId');
    const tenantId = requireTenant(this.request);

    await this.change(tenantId, async (memberships, manager) => {
      const actorRole = await roleNow(memberships, this.request, tenantId, actorId);
      requireRole(actorRole, 'ADMIN', 'remove members');
      const target = await requireMember(memberships, tenantId, userId);
      if (target.role === 'OWNER') {
        if (actorRole !== 'OWNER') throw new ForbiddenError('Only an OWNER can remove an OWNER');
        await keepAnOwner(memberships, tenantId, lastOwnerRemoval);
      }
      await memberships.remove(tenantId, userId);
      await recordRoleLoss(manager, this.auth, this.request, {
        tenantId,
        userId,
        role: null,
        event: {
          type: EventType.MEMBER_REMOVED,
          tenantId,
          payload: { userId, role: target.role },
        },
      });
    });
    await this.membershipChanged(tenantId, userId);
    return true;
  }

  /** Any member leaves the request's tenant, except its last OWNER. */
  async leave(): Promise<boolean> {
    const userId = requireUser(this.request, 'leave a tenant');
    const tenantId = requireTenant(this.request);

    await this.change(tenantId, async (memberships, manager) => {
      const own = await memberships.findForUpdate(tenantId, userId);
      if (!own) throw new NotFoundError('Your membership of this tenant');
      if (own.role === 'OWNER') await keepAnOwner(memberships, tenantId, lastOwnerLeaving);
      await memberships.remove(tenantId, userId);
      await recordRoleLoss(manager, this.auth, this.request, {
        tenantId,
        userId,
        role: null,
        event: {
          type: EventType.MEMBER_LEFT,
          tenantId,
          payload: { userId, role: own.role },
        },
      });
    });
    await this.membershipChanged(tenantId, userId);
    return true;
  }

  /** One membership change: the tenant's transaction, its membership lock taken first. */
  private change<T>(
    tenantId: string,
    fn: (memberships: MembershipRepository, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return tenantScope(this.dataSource, tenantId).run(
      (manager) => fn(new MembershipRepository(manager), manager),
      { lockTenant: MEMBERSHIP_CHANGES_LOCK },
    );
  }

  private requireReader(tenantId: string): void {
    const { principal, platformAdmin, role, scopes } = this.request;
    if (!principal) throw new UnauthenticatedError('Sign in to list members');
    if (platformAdmin && principal.kind === 'user') return;
    if (tenantId.toLowerCase() !== this.request.tenantId?.toLowerCase()) {
      // Reached through another tenant (e.g. myTenants): the request's role says nothing here.
      throw new ForbiddenError(
        'Members are listed only in their own tenant: send its id in X-Tenant-Id',
      );
    }
    if (principal.kind === 'apiKey') {
      if (scopes.includes(MEMBERS_READ_SCOPE)) return;
      throw new ForbiddenError(
        `Listing members needs an API key with the ${MEMBERS_READ_SCOPE} scope`,
      );
    }
    if (!atLeast(role, 'VIEWER')) throw new ForbiddenError('Not a member of this tenant');
  }
}

const lastOwnerDemotion =
  'The tenant must keep at least one OWNER: make another member OWNER before changing this role';
const lastOwnerRemoval =
  'The tenant must keep at least one OWNER: make another member OWNER before removing this one';
const lastOwnerLeaving =
  'You are the last OWNER of this tenant: make another member OWNER before leaving, or delete the tenant';

/** Refuses (CONFLICT) when the OWNER about to go is the tenant's only one. */
async function keepAnOwner(
  memberships: MembershipRepository,
  tenantId: string,
  message: string,
): Promise<void> {
  if ((await memberships.countOwners(tenantId)) <= 1) throw new ConflictError(message);
}

async function requireMember(
  memberships: MembershipRepository,
  tenantId: string,
  userId: string,
): Promise<MembershipEntity> {
  const membership = await memberships.findForUpdate(tenantId, userId);
  if (!membership) throw new NotFoundError('Member');
  return membership;
}

function validPosition(
  position: { value: string; id: string } | null,
): { value: string; id: string } | null {
  if (position && (!POSITION.test(position.value) || !isUuid(position.id))) {
    throw new ValidationError('after is not a cursor of this list', { field: 'after' });
  }
  return position;
}
