import { platformScope } from '../../../platform/db/scope';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { hashToken, randomToken } from '../../../platform/crypto/tokens';
import {
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { EmailTokenPurpose } from '../entities/email-token.entity';
import type { RevokeReason } from '../entities/session.entity';
import type { UserEntity } from '../entities/user.entity';
import type { AuthOutcome, AuthAttemptKind } from '../metrics';
import { EmailTokenRepository } from '../repositories/email-token.repository';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import type { AuthServices } from '../auth-services';
import { verifyPassword } from './password.policy';

/** Only what this needs of what the auth process shares. */
export type AccountSupportDeps = Pick<
  AuthServices,
  | 'config'
  | 'dataSource'
  | 'ipLimiter'
  | 'lockout'
  | 'logger'
  | 'mailLimiter'
  | 'mailer'
  | 'metrics'
>;

/**
 * What the account flows share for one request: who is asking, the abuse limits and their
 * metrics, mailed tokens, and ending a user's sessions.
 */
export class AccountSupport {
  constructor(
    private readonly request: RequestContext,
    private readonly auth: AccountSupportDeps,
  ) {}

  get meta() {
    return { ip: this.request.ip, userAgent: this.request.userAgent };
  }

  async revokeAll(
    manager: EntityManager,
    userId: string,
    reason: RevokeReason,
    exceptSessionId?: string | null,
  ): Promise<string[]> {
    const ended = await new SessionRepository(manager).revokeAllOfUser(
      userId,
      reason,
      exceptSessionId,
    );
    if (ended.length) this.auth.metrics.sessionsRevoked.inc({ reason }, ended.length);
    return ended;
  }

  /**
   * The signed-in user's row, locked, once `password` proved it is them. The attempt counts
   * against the account's sign-in lockout, taken before the check; a locked account is told
   * so (RATE_LIMITED): whoever asks is signed in to it already.
   */
  async provenUser(
    manager: EntityManager,
    userId: string,
    password: string,
    field: 'password' | 'currentPassword',
  ): Promise<UserEntity> {
    const user = await new UserRepository(manager).findCredentialsById(userId);
    if (!user) throw new UnauthenticatedError();
    const attempt = await this.auth.lockout.reserve(user.email);
    if (!attempt.allowed) {
      this.count('change_password', 'locked');
      throw new RateLimitedError(attempt.retryAfterSeconds);
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      this.count('change_password', 'bad_credentials');
      throw new ValidationError(
        field === 'currentPassword' ? 'Current password is wrong' : 'Password is wrong',
        { field },
      );
    }
    await this.auth.lockout.clear(user.email);
    return user;
  }

  requireUserId(): string {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in first');
    return principal.id;
  }

  async currentUser(): Promise<UserEntity> {
    const user = await new UserRepository(this.auth.dataSource.manager).findById(
      this.requireUserId(),
    );
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  /**
   * Written with `manager`, the transaction that issued the token: the mail is kept (outbox,
   * or the durable outbox the worker sends with retries) exactly when the token is.
   */
  async mailVerification(
    manager: EntityManager,
    user: Pick<UserEntity, 'email'>,
    token: string,
  ): Promise<void> {
    const link = new URL('/verify-email', this.auth.config.APP_PUBLIC_URL);
    link.searchParams.set('token', token);
    await this.auth.mailer.send(
      {
        kind: 'auth.verify_email',
        to: user.email,
        subject: 'Confirm your email address',
        text: `Welcome to Tessera.\n\nTo confirm this address, open:\n${link.href}\n\nThe link works once and expires in ${Math.round(this.auth.config.EMAIL_VERIFICATION_TTL_MINUTES / 60)} hours.\n`,
      },
      manager,
    );
  }

  /**
   * Tells an account's owner that someone tried to sign up with their address (the sign-up
   * was answered as if it worked). At most as often as the account's other mails.
   */
  async mailSignUpAttempt(owner: UserEntity): Promise<void> {
    const decision = await this.auth.mailLimiter.consume(owner.id);
    if (!decision.allowed) return;
    const signIn = new URL('/sign-in', this.auth.config.APP_PUBLIC_URL);
    try {
      await this.auth.mailer.send({
        kind: 'auth.sign_up_attempt',
        to: owner.email,
        subject: 'Someone tried to create a Tessera account with your address',
        text: `Someone tried to create a new Tessera account with this address, which already has one. No account was created and nothing changed.\n\nIf it was you, sign in at:\n${signIn.href}\n\nIf you forgot your password, reset it from the sign-in page. If it was not you, ignore this mail.\n`,
      });
    } catch (error) {
      this.auth.logger.error({ err: error }, 'sign-up attempt mail failed');
    }
  }

  async issueEmailToken(
    manager: EntityManager,
    userId: string,
    purpose: EmailTokenPurpose,
  ): Promise<string> {
    const token = randomToken(32);
    const minutes =
      purpose === 'verify_email'
        ? this.auth.config.EMAIL_VERIFICATION_TTL_MINUTES
        : this.auth.config.PASSWORD_RESET_TTL_MINUTES;
    await new EmailTokenRepository(manager).replace(
      userId,
      purpose,
      hashToken(token),
      new Date(Date.now() + minutes * 60_000),
    );
    return token;
  }

  async recordFailedSignIn(userId: string | null, reason: AuthOutcome): Promise<void> {
    await platformScope(this.auth.dataSource).run((manager) =>
      appendEvent(manager, {
        type: EventType.SIGN_IN_FAILED,
        tenantId: null,
        actor: null,
        payload: { userId, reason },
      }),
    );
  }

  async limitByIp(kind: AuthAttemptKind): Promise<void> {
    const decision = await this.auth.ipLimiter.consume(this.request.ip ?? 'unknown');
    if (!decision.allowed) {
      this.count(kind, 'rate_limited');
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
  }

  async limitMail(userId: string): Promise<void> {
    const decision = await this.auth.mailLimiter.consume(userId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }

  count(kind: AuthAttemptKind, outcome: AuthOutcome): void {
    this.auth.metrics.attempts.inc({ kind, outcome });
  }
}
