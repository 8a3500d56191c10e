import { platformScope } from '../../../platform/db/scope';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../platform/context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { UserEntity } from '../entities/user.entity';
import { UserRepository } from '../repositories/user.repository';
import { AccountSupport, type AccountSupportDeps } from './account-support.service';
import type { AuthServices } from '../auth-services';
import { normalizeEmail } from '../../../platform/mail/address';
import { normalizeDisplayName } from './display-name.input';
import { challengeSecondFactor, type MfaChallengeModel, type MfaDeps } from '../mfa/mfa.service';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.policy';
import type { IssuedTokens } from '../sessions/session-issuer.service';

/** Only what this needs of what the auth process shares. */
export type AccountServiceDeps = AccountSupportDeps &
  MfaDeps &
  Pick<AuthServices, 'issuer' | 'revocations'>;

export interface SignedIn {
  tokens: IssuedTokens;
  user: UserEntity;
}

const INVALID_CREDENTIALS = 'Invalid email or password';

/** Sign-up, sign-in, sessions opened for proven users, and changes to one's own account. */
export class AccountService {
  private readonly support: AccountSupport;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: AccountServiceDeps,
  ) {
    this.support = new AccountSupport(request, auth);
  }

  /** The signed-in user's id; UNAUTHENTICATED for anyone else. */
  requireUserId(): string {
    return this.support.requireUserId();
  }

  /**
   * A new account, signed in, with a verification link mailed. An email that has an account
   * gets the same answer (see `answerTakenEmail`), after the same password hashing, so
   * sign-up does not tell anyone which addresses have accounts.
   */
  async signUp(email: string, password: string, displayName?: string | null): Promise<SignedIn> {
    await this.support.limitByIp('sign_up');
    const normalized = normalizeEmail(email);
    try {
      checkPasswordPolicy(password, this.auth.config.PASSWORD_MIN_LENGTH, normalized);
    } catch (error) {
      this.support.count('sign_up', 'weak_password');
      throw error;
    }
    const name = normalizeDisplayName(displayName);
    const passwordHash = await hashPassword(password);
    const created = await platformScope(this.auth.dataSource).run(async (manager) => {
      const user = await new UserRepository(manager).insert({
        email: normalized,
        passwordHash,
        displayName: name,
      });
      if (!user) return null;
      const token = await this.support.issueEmailToken(manager, user.id, 'verify_email');
      await this.support.mailVerification(manager, user, token);
      const opened = await this.auth.issuer.open(manager, user, this.support.meta);
      await appendEvent(manager, {
        type: EventType.USER_SIGNED_UP,
        tenantId: null,
        actor: { kind: 'user', id: user.id },
        payload: { userId: user.id },
      });
      return {
        signedIn: { tokens: opened.tokens, user },
        evicted: opened.evicted,
      };
    });
    if (!created) return this.answerTakenEmail(normalized, name);
    await this.auth.revocations.announce(created.evicted);
    this.support.count('sign_up', 'ok');
    return created.signedIn;
  }

  /**
   * `signUp`'s answer for an address that has an account: shaped like a new account's (a
   * user with that email, unverified, and tokens), but the user exists nowhere and the tokens
   * belong to a session announced as revoked before they leave, so every gateway refuses
   * them. The owner is mailed instead of a verification link: someone tried to sign up.
   */
  private async answerTakenEmail(email: string, displayName: string | null): Promise<SignedIn> {
    this.support.count('sign_up', 'conflict');
    const now = new Date();
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(),
      email,
      displayName,
      emailVerified: false,
      status: 'ACTIVE',
      platformRole: null,
      createdAt: now,
      updatedAt: now,
    });
    const tokens = await this.auth.issuer.unbacked(user);
    await this.auth.revocations.announce([tokens.sessionId]);
    const owner = await new UserRepository(this.auth.dataSource.manager).findCredentialsByEmail(
      email,
    );
    if (owner?.status === 'ACTIVE') await this.support.mailSignUpAttempt(owner);
    return { tokens, user };
  }

  /**
   * Every failure reads the same ("Invalid email or password") and takes as long, whether the
   * account exists, the password is wrong, or the address is locked: the attempt is reserved
   * against the lockout before any password is checked, and a locked or unknown address
   * verifies a dummy hash instead of the account's. A correct password on a banned or
   * deactivated account is refused after the check. An account with a passkey gets an MFA
   * challenge instead of a session: `finishPasskeyAuthentication(mfaToken:)` ends it.
   */
  async signIn(email: string, password: string): Promise<SignedIn | MfaChallengeModel> {
    await this.support.limitByIp('sign_in');
    let normalized: string;
    try {
      normalized = normalizeEmail(email);
    } catch {
      await verifyPassword(null, password);
      this.support.count('sign_in', 'bad_credentials');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    const attempt = await this.auth.lockout.reserve(normalized);
    const users = new UserRepository(this.auth.dataSource.manager);
    const user = await users.findCredentialsByEmail(normalized);
    const hash = attempt.allowed ? (user?.passwordHash ?? null) : null;
    const valid = await verifyPassword(hash, password);
    if (!user || !valid) {
      const reason = attempt.allowed ? 'bad_credentials' : 'locked';
      await this.support.recordFailedSignIn(user?.id ?? null, reason);
      this.support.count('sign_in', reason);
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (user.status !== 'ACTIVE') {
      await this.support.recordFailedSignIn(user.id, 'inactive');
      this.support.count('sign_in', 'inactive');
      throw new ForbiddenError(`This account is ${user.status.toLowerCase()}`);
    }
    await this.auth.lockout.clear(normalized);
    const challenge = await challengeSecondFactor(this.auth, user);
    if (challenge) {
      this.support.count('sign_in', 'mfa_required');
      return challenge;
    }
    const signedIn = await this.openSession(user, EventType.SIGN_IN_SUCCEEDED);
    this.support.count('sign_in', 'ok');
    return signedIn;
  }

  /** Opens a session for a user whose identity is already proven (password, passkey, OAuth). */
  async openSession(user: UserEntity, event: EventType): Promise<SignedIn> {
    const { tokens, evicted } = await platformScope(this.auth.dataSource).run(async (manager) => {
      const opened = await this.auth.issuer.open(manager, user, this.support.meta);
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

  async changePassword(currentPassword: string, newPassword: string): Promise<boolean> {
    const userId = this.support.requireUserId();
    const revoked = await platformScope(this.auth.dataSource).run(async (manager) => {
      const users = new UserRepository(manager);
      const user = await this.support.provenUser(
        manager,
        userId,
        currentPassword,
        'currentPassword',
      );
      checkPasswordPolicy(newPassword, this.auth.config.PASSWORD_MIN_LENGTH, user.email);
      await users.update(userId, { passwordHash: await hashPassword(newPassword) });
      const ended = await this.support.revokeAll(
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
    this.support.count('change_password', 'ok');
    return true;
  }

  async updateProfile(displayName: string | null | undefined): Promise<UserEntity> {
    const userId = this.support.requireUserId();
    const name = normalizeDisplayName(displayName);
    return platformScope(this.auth.dataSource).run(async (manager) => {
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
    const userId = this.support.requireUserId();
    const revoked = await platformScope(this.auth.dataSource).run(async (manager) => {
      const users = new UserRepository(manager);
      await this.support.provenUser(manager, userId, password, 'password');
      await users.setStatus(userId, 'DEACTIVATED');
      const ended = await this.support.revokeAll(manager, userId, 'user_status');
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
}
