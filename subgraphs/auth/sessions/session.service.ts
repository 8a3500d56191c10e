import { platformScope } from '../../../platform/db/scope';
import type { RequestContext } from '../../../platform/context/request-context';
import { hashToken } from '../../../platform/crypto/tokens';
import {
  UnauthenticatedError,
  NotFoundError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import type { RevokeReason, SessionEntity } from '../entities/session.entity';
import type { UserEntity } from '../entities/user.entity';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import type { AuthServices } from '../auth-services';
import type { SignedIn } from '../credentials/account.service';

/** Only what this needs of what the auth process shares. */
export type SessionServiceDeps = Pick<
  AuthServices,
  'dataSource' | 'issuer' | 'metrics' | 'revocations'
>;

const INVALID_REFRESH = 'Invalid or expired refresh token';

type RefreshOutcome =
  { kind: 'ok'; signedIn: SignedIn } | { kind: 'reuse'; revoked: string[] } | { kind: 'invalid' };

/** A user's own sessions: refresh, list, sign out, revoke. */
export class SessionService {
  constructor(
    private readonly request: RequestContext,
    private readonly auth: SessionServiceDeps,
  ) {}

  /**
   * Rotates the refresh token. A token that was already used is reuse, the sign of a stolen
   * token: the whole session ends, so neither the thief nor the owner keeps it.
   */
  async refresh(refreshToken: string): Promise<SignedIn> {
    if (!/^rt_[A-Za-z0-9_-]{43}$/.test(refreshToken)) {
      this.auth.metrics.attempts.inc({ kind: 'refresh', outcome: 'invalid_token' });
      throw new UnauthenticatedError(INVALID_REFRESH);
    }
    const outcome = await platformScope(this.auth.dataSource).run(
      async (manager): Promise<RefreshOutcome> => {
        const tokens = new RefreshTokenRepository(manager);
        const sessions = new SessionRepository(manager);
        const token = await tokens.findForUpdate(hashToken(refreshToken));
        if (!token) return { kind: 'invalid' };
        const session = await sessions.findById(token.sessionId);
        if (!session || session.revokedAt || session.expiresAt <= new Date())
          return { kind: 'invalid' };
        if (token.usedAt) {
          const revoked = await sessions.revokeById(session.id, 'refresh_token_reuse');
          await appendEvent(manager, {
            type: EventType.SESSION_REVOKED,
            tenantId: null,
            actor: null,
            payload: {
              userId: session.userId,
              sessionId: session.id,
              reason: 'refresh_token_reuse',
            },
          });
          return { kind: 'reuse', revoked };
        }
        const user = await new UserRepository(manager).findById(session.userId);
        if (!user || user.status !== 'ACTIVE') return { kind: 'invalid' };
        await tokens.markUsed(token.id);
        await sessions.touch(session.id);
        return {
          kind: 'ok',
          signedIn: { tokens: await this.auth.issuer.tokensFor(manager, session.id, user), user },
        };
      },
    );
    if (outcome.kind === 'ok') {
      this.auth.metrics.attempts.inc({ kind: 'refresh', outcome: 'ok' });
      return outcome.signedIn;
    }
    if (outcome.kind === 'reuse') {
      this.auth.metrics.attempts.inc({ kind: 'refresh', outcome: 'token_reuse' });
      this.auth.metrics.sessionsRevoked.inc(
        { reason: 'refresh_token_reuse' },
        outcome.revoked.length,
      );
      await this.auth.revocations.announce(outcome.revoked);
    } else {
      this.auth.metrics.attempts.inc({ kind: 'refresh', outcome: 'invalid_token' });
    }
    throw new UnauthenticatedError(INVALID_REFRESH);
  }

  async mine(): Promise<SessionEntity[]> {
    const userId = this.requireUserId();
    const sessions = await new SessionRepository(this.auth.dataSource.manager).live(userId);
    return sessions.reverse();
  }

  isCurrent(session: SessionEntity): boolean {
    return session.id === this.request.sessionId;
  }

  /** Ends the session of the access token in use. */
  async signOut(): Promise<boolean> {
    const userId = this.requireUserId();
    const sessionId = this.request.sessionId;
    if (!sessionId) throw new UnauthenticatedError('Sign in first');
    await this.revoke({ userId, sessionIds: [sessionId], reason: 'sign_out' });
    return true;
  }

  async revokeOwn(id: string): Promise<boolean> {
    const userId = this.requireUserId();
    const ended = await this.revoke({ userId, sessionIds: [parseId(id)], reason: 'revoked' });
    if (ended.length === 0) throw new NotFoundError('Session');
    return true;
  }

  async revokeAllOwn(exceptCurrent: boolean): Promise<number> {
    const userId = this.requireUserId();
    const ended = await this.revoke({
      userId,
      all: true,
      except: exceptCurrent ? this.request.sessionId : null,
      reason: 'revoked_all',
    });
    return ended.length;
  }

  /**
   * Revokes sessions, records one event, and tells every gateway after commit. Scoped to
   * `userId` when given, so a user can only ever end their own sessions.
   */
  async revoke(target: {
    userId?: string;
    sessionIds?: string[];
    all?: boolean;
    except?: string | null;
    ip?: string;
    reason: RevokeReason;
  }): Promise<string[]> {
    const ended = await platformScope(this.auth.dataSource).run(async (manager) => {
      const sessions = new SessionRepository(manager);
      let revoked: string[];
      if (target.ip !== undefined) revoked = await sessions.revokeByIp(target.ip, target.reason);
      else if (target.all && target.userId)
        revoked = await sessions.revokeAllOfUser(target.userId, target.reason, target.except);
      else if (target.sessionIds?.length === 1)
        revoked = await sessions.revokeById(target.sessionIds[0]!, target.reason, target.userId);
      else throw new ValidationError('Nothing to revoke');
      if (revoked.length > 0) {
        await appendEvent(manager, {
          type: revoked.length === 1 ? EventType.SESSION_REVOKED : EventType.SESSIONS_REVOKED,
          tenantId: null,
          payload: {
            userId: target.userId ?? null,
            sessionIds: revoked.slice(0, 100),
            count: revoked.length,
            reason: target.reason,
          },
        });
      }
      return revoked;
    });
    if (ended.length)
      this.auth.metrics.sessionsRevoked.inc({ reason: target.reason }, ended.length);
    await this.auth.revocations.announce(ended);
    return ended;
  }

  private requireUserId(): string {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in first');
    return principal.id;
  }
}

export type { UserEntity };
