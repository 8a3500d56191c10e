import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { appendEvent, type NewEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { ROLES, type Role } from '../entities/membership.entity';
import { InvitationRepository } from '../repositories/invitation.repository';
import type { AuthCalls } from './auth-calls';
import { atLeast, mayGrant } from './member-access';

/** Why an invitation went with its inviter's role, in its `tenancy.invitation.revoked` event. */
export const INVITER_LOST_ROLE = 'inviter_lost_role';

export interface RoleLoss {
  tenantId: string;
  userId: string;
  /** The role left, or null for a member who is gone. */
  role: Role | null;
  /** The membership change's own event. */
  event: NewEvent;
}

/**
 * Finishes, inside its transaction and after its checks, a change that costs a member their
 * role or part of it (removed, gone, demoted): the pending invitations they could no longer
 * send are revoked, and once below ADMIN, so are the API keys they created. The keys are
 * auth's: when auth cannot revoke them, the change rolls back with SERVICE_UNAVAILABLE, so
 * nobody is ever out of a tenant while keys of theirs still work. Auth records its
 * revocations in the tenant's journal too, whose counter the first append of a transaction
 * locks until it ends: auth is therefore asked before this transaction appends anything.
 */
export async function recordRoleLoss(
  manager: EntityManager,
  auth: AuthCalls,
  request: RequestContext,
  loss: RoleLoss,
): Promise<void> {
  const { tenantId, userId, role } = loss;
  const beyond = ROLES.filter((invited) => !mayGrant(role, invited));
  const revoked = await new InvitationRepository(manager).removePendingFrom(
    tenantId,
    userId,
    beyond,
  );
  if (!atLeast(role, 'ADMIN')) await auth.revokeApiKeysOf(request, tenantId, userId);
  await appendEvent(manager, loss.event);
  for (const invitation of revoked) {
    await appendEvent(manager, {
      type: EventType.INVITATION_REVOKED,
      tenantId,
      payload: {
        invitationId: invitation.id,
        email: invitation.email,
        role: invitation.role,
        reason: INVITER_LOST_ROLE,
      },
    });
  }
}
