import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { requireTenant, type RequestContext } from '../../../platform/context/request-context';
import { hashToken, randomToken } from '../../../platform/crypto/tokens';
import { tenantScope } from '../../../platform/db/scope';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  TenantSuspendedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import { normalizeEmail } from '../../../platform/mail/address';
import { type Mailer } from '../../../platform/mail/mailer';
import type { SlidingWindowLimiter } from '../../../platform/rate-limit/sliding-window';
import type { VerifiedEmailAnswer } from '../../../platform/contracts/auth/verified-email';
import type { InvitationEntity } from '../entities/invitation.entity';
import type { Role } from '../entities/membership.entity';
import { InvitationRepository } from '../repositories/invitation.repository';
import {
  MEMBERSHIP_CHANGES_LOCK,
  MembershipRepository,
} from '../repositories/membership.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import type { AuthCalls } from './auth-calls';
import { invitationMail } from './invitation-mail';
import { mayGrant, requireRequestRole, requireRole, requireUser, roleNow } from './member-access';
import {
  requireSignedInUser,
  toMembershipModel,
  type MembershipChanged,
  type MembershipModel,
} from './membership.service';

/** Pending invitations one tenant may have at once; inviting more needs a revocation first. */
export const MAX_PENDING_INVITATIONS_PER_TENANT = 100;
/** Accepted invitations stay listed (and stored) this long, then the next invite clears them. */
export const ACCEPTED_INVITATIONS_KEPT_DAYS = 30;
/** The most `invitations` returns: every pending one, then the newest accepted ones. */
export const MAX_LISTED_INVITATIONS = 200;
/** Tokens are 43 characters; anything much longer is refused before it is hashed. */
const MAX_TOKEN_LENGTH = 256;
const INVALID_TOKEN = 'This invitation is invalid, expired, revoked or already used';

/** What the tenancy process builds once for invitations (see setup.ts). */
export interface InvitationSettings {
  mailer: Mailer;
  /** Where the link in the mail points (APP_PUBLIC_URL). */
  appPublicUrl: string;
  ttlSeconds: number;
  /** Invitations sent per tenant and hour: every one is a mail to an address of the inviter's choice. */
  limiter: SlidingWindowLimiter;
  logger: Logger;
  /** Asked for the accepting user's verified address. */
  auth: AuthCalls;
}

/** `InvitationWithToken`: the token is shown once, here, and mailed to the invitee. */
export interface InvitationWithToken {
  invitation: InvitationEntity;
  token: string;
}

/**
 * Invitations into a tenant: OWNERs and ADMINs invite by email (only an OWNER invites an
 * OWNER), the invitee accepts with the mailed token while signed in to the account whose
 * verified address the invitation names. Tokens are random, stored only as hashes, single
 * use and short-lived.
 */
export class InvitationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly settings: InvitationSettings,
    private readonly membershipChanged: MembershipChanged,
  ) {}

  /** Pending invitations (expired ones too, until cleared), then recently accepted ones. */
  list(): Promise<InvitationEntity[]> {
    requireUser(this.request, 'list invitations');
    requireRequestRole(this.request, 'ADMIN', 'list invitations');
    const tenantId = requireTenant(this.request);
    return tenantScope(this.dataSource, tenantId).run((manager) =>
      new InvitationRepository(manager).list(
        tenantId,
        daysAgo(ACCEPTED_INVITATIONS_KEPT_DAYS),
        MAX_LISTED_INVITATIONS,
      ),
    );
  }

  /**
   * Invites `email` with `role`, replacing the address's pending invitation if there is one
   * (only with the right to send that one too: an ADMIN never replaces an OWNER's invitation),
   * and mails the link. The invitation stands even if the mail cannot be sent: the inviter
   * has the token and can pass it on.
   */
  async invite(emailArg: string, role: Role): Promise<InvitationWithToken> {
    const actorId = requireUser(this.request, 'invite members');
    requireRequestRole(this.request, 'ADMIN', 'invite members');
    const email = normalizeEmail(emailArg);
    const tenantId = requireTenant(this.request);
    if (role === 'OWNER' && !this.request.platformAdmin && this.request.role !== 'OWNER') {
      throw new ForbiddenError('Only an OWNER can invite an OWNER');
    }
    const decision = await this.settings.limiter.consume(tenantId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);

    const token = randomToken(32);
    const { invitation } = await tenantScope(this.dataSource, tenantId).run(
      async (manager) => {
        const memberships = new MembershipRepository(manager);
        const invitations = new InvitationRepository(manager);
        const actorRole = await roleNow(memberships, this.request, tenantId, actorId);
        requireRole(actorRole, 'ADMIN', 'invite members');
        if (!mayGrant(actorRole, role)) {
          throw new ForbiddenError('Only an OWNER can invite an OWNER');
        }
        const tenant = await new TenantRepository(manager).findById(tenantId);
        if (!tenant) throw new NotFoundError('Tenant');

        await invitations.clearStale(tenantId, daysAgo(ACCEPTED_INVITATIONS_KEPT_DAYS));
        const pending = await invitations.findPendingFor(tenantId, email);
        if (pending && !mayGrant(actorRole, pending.role)) {
          throw new ForbiddenError(
            `This address has a pending invitation as ${pending.role}, which only an OWNER can replace`,
          );
        }
        const replaced = await invitations.removePendingFor(tenantId, email);
        if ((await invitations.countPending(tenantId)) >= MAX_PENDING_INVITATIONS_PER_TENANT) {
          throw new ValidationError(
            `A tenant may have at most ${MAX_PENDING_INVITATIONS_PER_TENANT} pending invitations: revoke some first`,
            { field: 'email' },
          );
        }
        const created = await invitations.insert({
          tenantId,
          email,
          role,
          tokenHash: hashToken(token),
          invitedBy: actorId,
          ttlSeconds: this.settings.ttlSeconds,
        });
        await appendEvent(manager, {
          type: EventType.MEMBER_INVITED,
          tenantId,
          payload: {
            invitationId: created.id,
            email,
            role,
            expiresAt: created.expiresAt.toISOString(),
            replacedInvitationId: replaced,
          },
        });
        // In the invitation's transaction: the mail is kept (and sent with retries by the
        // worker under smtp) exactly when the invitation is.
        await this.settings.mailer.send(
          invitationMail({
            to: email,
            tenantName: tenant.name,
            role,
            token,
            expiresAt: created.expiresAt,
            appPublicUrl: this.settings.appPublicUrl,
          }),
          manager,
        );
        return { invitation: created };
      },
      { lockTenant: MEMBERSHIP_CHANGES_LOCK },
    );
    return { invitation, token };
  }

  /**
   * Tenantless: the signed-in user joins the invitation's tenant with its role, if the
   * invitation names their address and auth says now that it is verified (the token alone is
   * not enough: a token kept by someone else, a former ADMIN for one, lets nobody else in).
   * The invitation is locked and consumed in the tenant's transaction, so of two acceptances
   * exactly one wins. A refused user (another address, unverified, already a member) leaves
   * the token usable: whoever clicked while signed in to the wrong account can still accept
   * with the right one.
   */
  async accept(token: string): Promise<MembershipModel> {
    const userId = requireSignedInUser(this.request, 'accept an invitation');
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new ValidationError(INVALID_TOKEN, { field: 'token' });
    }
    const tokenHash = hashToken(token);
    const tenantId = await new InvitationRepository(this.dataSource.manager).openInvitationTenant(
      tokenHash,
    );
    if (!tenantId) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
    const caller = await this.settings.auth.verifiedEmail(this.request);

    const joined = await tenantScope(this.dataSource, tenantId).run(async (manager) => {
      const tenant = await new TenantRepository(manager).findById(tenantId);
      if (!tenant) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
      if (tenant.status !== 'ACTIVE') throw new TenantSuspendedError();
      const invitations = new InvitationRepository(manager);
      const open = await invitations.findOpen(tenantId, tokenHash);
      if (!open) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
      requireAddressee(open, caller);
      const invitation = await invitations.consume(tenantId, tokenHash, userId);
      if (!invitation) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
      const membership = await new MembershipRepository(manager).insertIfAbsent({
        tenantId,
        userId,
        role: invitation.role,
      });
      if (!membership) {
        throw new ConflictError(
          'You are already a member of this tenant; the invitation stays open for its addressee',
        );
      }
      await appendEvent(manager, {
        type: EventType.MEMBER_JOINED,
        // The request names no tenant: the event belongs to the one joined.
        tenantId,
        payload: {
          userId,
          role: invitation.role,
          invitationId: invitation.id,
          email: invitation.email,
        },
      });
      return toMembershipModel(membership, tenant);
    });
    await this.membershipChanged(tenantId, userId);
    return joined;
  }

  /** Deletes a pending invitation; only an OWNER revokes an OWNER's invitation. */
  async revoke(idArg: string): Promise<boolean> {
    const actorId = requireUser(this.request, 'revoke invitations');
    requireRequestRole(this.request, 'ADMIN', 'revoke invitations');
    const id = parseId(idArg);
    const tenantId = requireTenant(this.request);

    await tenantScope(this.dataSource, tenantId).run(
      async (manager) => {
        const memberships = new MembershipRepository(manager);
        const invitations = new InvitationRepository(manager);
        const actorRole = await roleNow(memberships, this.request, tenantId, actorId);
        requireRole(actorRole, 'ADMIN', 'revoke invitations');
        const invitation = await invitations.findForUpdate(tenantId, id);
        if (!invitation) throw new NotFoundError('Invitation');
        if (invitation.acceptedAt) {
          throw new ConflictError(
            'This invitation was already accepted: remove the member instead',
          );
        }
        if (!mayGrant(actorRole, invitation.role)) {
          throw new ForbiddenError('Only an OWNER can revoke an invitation to be OWNER');
        }
        await invitations.remove(tenantId, id);
        await appendEvent(manager, {
          type: EventType.INVITATION_REVOKED,
          tenantId,
          payload: { invitationId: id, email: invitation.email, role: invitation.role },
        });
      },
      { lockTenant: MEMBERSHIP_CHANGES_LOCK },
    );
    return true;
  }
}

/** The invitation names the caller's address, and auth says the address is verified. */
function requireAddressee(invitation: InvitationEntity, caller: VerifiedEmailAnswer): void {
  if (caller.email?.toLowerCase() !== invitation.email) {
    throw new ForbiddenError(
      'This invitation was sent to another address: sign in with the account of that address',
    );
  }
  if (!caller.verified) {
    throw new ForbiddenError(
      'Verify your email address first (requestEmailVerification), then accept the invitation',
    );
  }
}

function daysAgo(days: number): Date {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000);
}
