import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../../platform/context';
import { hashToken, randomToken } from '../../../platform/crypto';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors';
import { appendEvent, EventType } from '../../../platform/events';
import type { EmailTokenPurpose } from '../entities/email-token.entity';
import type { RevokeReason } from '../entities/session.entity';
import type { UserEntity } from '../entities/user.entity';
import type { AuthOutcome, AuthAttemptKind } from '../metrics';
import { EmailTokenRepository } from '../repositories/email-token.repository';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import type { AuthServices } from './auth-services';
import { normalizeDisplayName, normalizeEmail } from './email';
import { challengeSecondFactor, type MfaChallengeModel } from './mfa';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password';
import type { IssuedTokens } from './session-issuer';

export interface SignedIn {
  tokens: IssuedTokens;
  user: UserEntity;
}

const INVALID_CREDENTIALS = 'Invalid email or password';
const INVALID_TOKEN = 'This link is invalid or has expired';

/** Sign-up, sign-in and everything a person does to their own account. */
export class AccountService {
  constructor(
    private readonly request: RequestContext,
    private readonly auth: AuthServices,
  ) {}

  private get meta() {
    return { ip: this.request.ip, userAgent: this.request.userAgent };
  }

  async signUp(email: string, password: string, displayName?: string | null): Promise<SignedIn> {
    await this.limitByIp('sign_up');
    const normalized = normalizeEmail(email);
    try {
      checkPasswordPolicy(password, this.auth.config.PASSWORD_MIN_LENGTH, normalized);
    } catch (error) {
      this.count('sign_up', 'weak_password');
      throw error;
    }
    const name = normalizeDisplayName(displayName);
    const passwordHash = await hashPassword(password);
    const { signedIn, evicted, verifyToken } = await this.auth.dataSource.transaction(
      async (manager) => {
        const user = await new UserRepository(manager).insert({
          email: normalized,
          passwordHash,
          displayName: name,
        });
        if (!user) {
          this.count('sign_up', 'conflict');
          throw new ConflictError('An account with this email already exists');
        }
        const token = await this.issueEmailToken(manager, user.id, 'verify_email');
        const opened = await this.auth.issuer.open(manager, user, this.meta);
        await appendEvent(manager, {
          type: EventType.USER_SIGNED_UP,
          tenantId: null,
          actor: { kind: 'user', id: user.id },
          payload: { userId: user.id },
        });
        return {
          signedIn: { tokens: opened.tokens, user },
          evicted: opened.evicted,
          verifyToken: token,
        };
      },
    );
    await this.auth.revocations.announce(evicted);
    this.count('sign_up', 'ok');
    await this.mailVerification(signedIn.user, verifyToken);
    return signedIn;
  }

  /**
   * Every failure reads the same ("Invalid email or password") and takes as long, whether
   * or not the account exists. A correct password on a locked, banned or deactivated
   * account is refused too, after the password check. An account with a passkey gets an
   * MFA challenge instead of a session: `finishPasskeyAuthentication(mfaToken:)` ends it.
   */
  async signIn(email: string, password: string): Promise<SignedIn | MfaChallengeModel> {
    await this.limitByIp('sign_in');
    let normalized: string;
    try {
      normalized = normalizeEmail(email);
    } catch {
      await verifyPassword(null, password);
      this.count('sign_in', 'bad_credentials');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    const users = new UserRepository(this.auth.dataSource.manager);
    const user = await users.findCredentialsByEmail(normalized);
    if (user) await this.assertNotLocked(user.id, 'sign_in');
    const valid = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !valid) {
      if (user) await this.auth.lockout.recordFailure(user.id);
      await this.recordFailedSignIn(user?.id ?? null, 'bad_credentials');
      this.count('sign_in', 'bad_credentials');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (user.status !== 'ACTIVE') {
      await this.recordFailedSignIn(user.id, 'inactive');
      this.count('sign_in', 'inactive');
      throw new ForbiddenError(`This account is ${user.status.toLowerCase()}`);
    }
    await this.auth.lockout.clear(user.id);
    const challenge = await challengeSecondFactor(this.auth, user);
    if (challenge) {
      this.count('sign_in', 'mfa_required');
      return challenge;
    }
    const signedIn = await this.openSession(user, EventType.SIGN_IN_SUCCEEDED);
    this.count('sign_in', 'ok');
    return signedIn;
  }

  /** Opens a session for a user whose identity is already proven (password, passkey, OAuth). */
  async openSession(user: UserEntity, event: EventType): Promise<SignedIn> {
    const { tokens, evicted } = await this.auth.dataSource.transaction(async (manager) => {
      const opened = await this.auth.issuer.open(manager, user, this.meta);
      await appendEvent(manager, {
        type: event,
        tenantId: null,
        actor: { kind: 'user', id: user.id },
        payload: { userId: user.id, sessionId: opened.tokens.sessionId },
      });
      return opened;
    });
    await this.auth.revocations.announce(evicted);
    return { tokens, user };
  }

  async verifyEmail(token: string): Promise<boolean> {
    await this.limitByIp('verify_email');
    const userId = await this.auth.dataSource.transaction(async (manager) => {
      const owner = await new EmailTokenRepository(manager).consume(
        hashToken(boundedToken(token)),
        'verify_email',
      );
      if (!owner) return null;
      await new UserRepository(manager).update(owner, { emailVerified: true });
      await appendEvent(manager, {
        type: EventType.EMAIL_VERIFIED,
        tenantId: null,
        actor: { kind: 'user', id: owner },
        payload: { userId: owner },
      });
      return owner;
    });
    if (!userId) {
      this.count('verify_email', 'invalid_token');
      throw new ValidationError(INVALID_TOKEN, { field: 'token' });
    }
    this.count('verify_email', 'ok');
    return true;
  }

  /** Mails a fresh verification link to the signed-in user. */
  async requestEmailVerification(): Promise<boolean> {
    const user = await this.currentUser();
    if (user.emailVerified) return true;
    await this.limitMail(user.id);
    const token = await this.auth.dataSource.transaction(async (manager) => {
      const issued = await this.issueEmailToken(manager, user.id, 'verify_email');
      await appendEvent(manager, {
        type: EventType.EMAIL_VERIFICATION_REQUESTED,
        tenantId: null,
        payload: { userId: user.id },
      });
      return issued;
    });
    await this.mailVerification(user, token);
    return true;
  }

  /**
   * Always answers true, at once: whether a mail goes out (account exists, is active, is
   * under its mail limit) is decided after the answer, so neither the answer nor its
   * timing tells a caller whether the address has an account.
   */
  async requestPasswordReset(email: string): Promise<boolean> {
    await this.limitByIp('password_reset');
    const normalized = normalizeEmail(email);
    setImmediate(() => {
      this.sendPasswordReset(normalized).catch((error: unknown) =>
        this.auth.logger.error({ err: error }, 'password reset mail failed'),
      );
    });
    return true;
  }

  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    await this.limitByIp('password_reset');
    const tokenHash = hashToken(boundedToken(token));
    const revoked = await this.auth.dataSource.transaction(async (manager) => {
      const userId = await new EmailTokenRepository(manager).consume(tokenHash, 'reset_password');
      if (!userId) {
        this.count('password_reset', 'invalid_token');
        throw new ValidationError(INVALID_TOKEN, { field: 'token' });
      }
      const users = new UserRepository(manager);
      const user = (await users.findCredentialsById(userId))!;
      try {
        checkPasswordPolicy(newPassword, this.auth.config.PASSWORD_MIN_LENGTH, user.email);
      } catch (error) {
        this.count('password_reset', 'weak_password');
        throw error;
      }
      // Whoever holds the mailbox proved it, so the address counts as verified.
      await users.update(userId, {
        passwordHash: await hashPassword(newPassword),
        emailVerified: true,
      });
      const ended = await this.revokeAll(manager, userId, 'password_reset');
      await appendEvent(manager, {
        type: EventType.PASSWORD_RESET,
        tenantId: null,
        actor: { kind: 'user', id: userId },
        payload: { userId, sessionsRevoked: ended.length },
      });
      await this.auth.lockout.clear(userId);
      return ended;
    });
    await this.auth.revocations.announce(revoked);
    this.count('password_reset', 'ok');
    return true;
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<boolean> {
    const userId = this.requireUserId();
    await this.assertNotLocked(userId, 'change_password');
    const revoked = await this.auth.dataSource.transaction(async (manager) => {
      const users = new UserRepository(manager);
      const user = await this.provenUser(manager, userId, currentPassword, 'currentPassword');
      checkPasswordPolicy(newPassword, this.auth.config.PASSWORD_MIN_LENGTH, user.email);
      await users.update(userId, { passwordHash: await hashPassword(newPassword) });
      const ended = await this.revokeAll(
        manager,
        userId,
        'password_changed',
        this.request.sessionId,
      );
      await appendEvent(manager, {
        type: EventType.PASSWORD_CHANGED,
        tenantId: null,
        payload: { userId, sessionsRevoked: ended.length },
      });
      return ended;
    });
    await this.auth.revocations.announce(revoked);
    this.count('change_password', 'ok');
    return true;
  }

  async updateProfile(displayName: string | null | undefined): Promise<UserEntity> {
    const userId = this.requireUserId();
    const name = normalizeDisplayName(displayName);
    return this.auth.dataSource.transaction(async (manager) => {
      const users = new UserRepository(manager);
      await users.update(userId, { displayName: name });
      await appendEvent(manager, {
        type: EventType.PROFILE_UPDATED,
        tenantId: null,
        payload: { userId },
      });
      const user = await users.findById(userId);
      if (!user) throw new UnauthenticatedError();
      return user;
    });
  }

  async deactivateAccount(password: string): Promise<boolean> {
    const userId = this.requireUserId();
    await this.assertNotLocked(userId, 'change_password');
    const revoked = await this.auth.dataSource.transaction(async (manager) => {
      const users = new UserRepository(manager);
      await this.provenUser(manager, userId, password, 'password');
      await users.setStatus(userId, 'DEACTIVATED');
      const ended = await this.revokeAll(manager, userId, 'user_status');
      await appendEvent(manager, {
        type: EventType.ACCOUNT_DEACTIVATED,
        tenantId: null,
        payload: { userId, sessionsRevoked: ended.length },
      });
      return ended;
    });
    await this.auth.revocations.announce(revoked);
    return true;
  }

  // ── helpers ────────────────────────────────────────────────────────────────

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

  /** The signed-in user's row, locked, once `password` proved it is them (counts failures). */
  private async provenUser(
    manager: EntityManager,
    userId: string,
    password: string,
    field: 'password' | 'currentPassword',
  ): Promise<UserEntity> {
    const user = await new UserRepository(manager).findCredentialsById(userId);
    if (!user) throw new UnauthenticatedError();
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.auth.lockout.recordFailure(userId);
      this.count('change_password', 'bad_credentials');
      throw new ValidationError(
        field === 'currentPassword' ? 'Current password is wrong' : 'Password is wrong',
        { field },
      );
    }
    return user;
  }

  requireUserId(): string {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in first');
    return principal.id;
  }

  private async currentUser(): Promise<UserEntity> {
    const user = await new UserRepository(this.auth.dataSource.manager).findById(
      this.requireUserId(),
    );
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const user = await new UserRepository(this.auth.dataSource.manager).findCredentialsByEmail(
      email,
    );
    if (!user || user.status !== 'ACTIVE') return;
    const decision = await this.auth.mailLimiter.consume(user.id);
    if (!decision.allowed) return;
    const token = await this.auth.dataSource.transaction(async (manager) => {
      const issued = await this.issueEmailToken(manager, user.id, 'reset_password');
      await appendEvent(manager, {
        type: EventType.PASSWORD_RESET_REQUESTED,
        tenantId: null,
        actor: null,
        payload: { userId: user.id },
      });
      return issued;
    });
    const link = new URL('/reset-password', this.auth.config.APP_PUBLIC_URL);
    link.searchParams.set('token', token);
    await this.auth.mailer.send({
      kind: 'auth.password_reset',
      to: user.email,
      subject: 'Reset your Tessera password',
      text: `Someone asked to reset the password of your Tessera account.\n\nTo choose a new password, open:\n${link.href}\n\nThe link works once and expires in ${this.auth.config.PASSWORD_RESET_TTL_MINUTES} minutes. If it was not you, ignore this mail.\n`,
    });
  }

  private async mailVerification(user: UserEntity, token: string): Promise<void> {
    const link = new URL('/verify-email', this.auth.config.APP_PUBLIC_URL);
    link.searchParams.set('token', token);
    try {
      await this.auth.mailer.send({
        kind: 'auth.verify_email',
        to: user.email,
        subject: 'Confirm your email address',
        text: `Welcome to Tessera.\n\nTo confirm this address, open:\n${link.href}\n\nThe link works once and expires in ${Math.round(this.auth.config.EMAIL_VERIFICATION_TTL_MINUTES / 60)} hours.\n`,
      });
    } catch (error) {
      // The account exists either way; `requestEmailVerification` sends another link.
      this.auth.logger.error({ err: error }, 'verification mail failed');
    }
  }

  private async issueEmailToken(
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

  private async recordFailedSignIn(userId: string | null, reason: AuthOutcome): Promise<void> {
    await this.auth.dataSource.transaction((manager) =>
      appendEvent(manager, {
        type: EventType.SIGN_IN_FAILED,
        tenantId: null,
        actor: null,
        payload: { userId, reason },
      }),
    );
  }

  private async assertNotLocked(userId: string, kind: AuthAttemptKind): Promise<void> {
    try {
      await this.auth.lockout.assertNotLocked(userId);
    } catch (error) {
      if (error instanceof DomainError) {
        this.count(kind, 'locked');
        if (kind === 'sign_in') await this.recordFailedSignIn(userId, 'locked');
      }
      throw error;
    }
  }

  private async limitByIp(kind: AuthAttemptKind): Promise<void> {
    const decision = await this.auth.ipLimiter.consume(this.request.ip ?? 'unknown');
    if (!decision.allowed) {
      this.count(kind, 'rate_limited');
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
  }

  private async limitMail(userId: string): Promise<void> {
    const decision = await this.auth.mailLimiter.consume(userId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }

  private count(kind: AuthAttemptKind, outcome: AuthOutcome): void {
    this.auth.metrics.attempts.inc({ kind, outcome });
  }
}

/** Tokens are 43 characters; anything much longer is refused before it is hashed. */
function boundedToken(token: string): string {
  if (token.length > 256) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
  return token;
}
