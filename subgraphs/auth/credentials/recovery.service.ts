import { platformScope } from '../../../platform/db/scope';
import type { RequestContext } from '../../../platform/context/request-context';
import { hashToken } from '../../../platform/crypto/tokens';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { EmailTokenRepository } from '../repositories/email-token.repository';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { UserRepository } from '../repositories/user.repository';
import { AccountSupport, type AccountSupportDeps } from './account-support.service';
import type { AuthServices } from '../auth-services';
import { normalizeEmail } from '../../../platform/mail/address';
import { checkPasswordPolicy, hashPassword } from './password.policy';

/** Only what this needs of what the auth process shares. */
export type RecoveryServiceDeps = AccountSupportDeps & Pick<AuthServices, 'revocations'>;

const INVALID_TOKEN = 'This link is invalid or has expired';

/** Proving a mailbox: email verification and password reset by mailed, single-use links. */
export class RecoveryService {
  private readonly support: AccountSupport;

  constructor(
    request: RequestContext,
    private readonly auth: RecoveryServiceDeps,
  ) {
    this.support = new AccountSupport(request, auth);
  }

  async verifyEmail(token: string): Promise<boolean> {
    await this.support.limitByIp('verify_email');
    const userId = await platformScope(this.auth.dataSource).run(async (manager) => {
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
      this.support.count('verify_email', 'invalid_token');
      throw new ValidationError(INVALID_TOKEN, { field: 'token' });
    }
    this.support.count('verify_email', 'ok');
    return true;
  }

  /** Mails a fresh verification link to the signed-in user. */
  async requestEmailVerification(): Promise<boolean> {
    const user = await this.support.currentUser();
    if (user.emailVerified) return true;
    await this.support.limitMail(user.id);
    await platformScope(this.auth.dataSource).run(async (manager) => {
      const issued = await this.support.issueEmailToken(manager, user.id, 'verify_email');
      await this.support.mailVerification(manager, user, issued);
      await appendEvent(manager, {
        type: EventType.EMAIL_VERIFICATION_REQUESTED,
        tenantId: null,
        payload: { userId: user.id },
      });
    });
    return true;
  }

  /**
   * Always answers true, at once: whether a mail goes out (account exists, is active, is
   * under its mail limit) is decided after the answer, so neither the answer nor its
   * timing tells a caller whether the address has an account.
   */
  async requestPasswordReset(email: string): Promise<boolean> {
    await this.support.limitByIp('password_reset');
    const normalized = normalizeEmail(email);
    setImmediate(() => {
      this.sendPasswordReset(normalized).catch((error: unknown) =>
        this.auth.logger.error({ err: error }, 'password reset mail failed'),
      );
    });
    return true;
  }

  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    await this.support.limitByIp('password_reset');
    const tokenHash = hashToken(boundedToken(token));
    const revoked = await platformScope(this.auth.dataSource).run(async (manager) => {
      const userId = await new EmailTokenRepository(manager).consume(tokenHash, 'reset_password');
      if (!userId) {
        this.support.count('password_reset', 'invalid_token');
        throw new ValidationError(INVALID_TOKEN, { field: 'token' });
      }
      const users = new UserRepository(manager);
      const user = (await users.findCredentialsById(userId))!;
      try {
        checkPasswordPolicy(newPassword, this.auth.config.PASSWORD_MIN_LENGTH, user.email);
      } catch (error) {
        this.support.count('password_reset', 'weak_password');
        throw error;
      }
      // Whoever holds the mailbox proved it, so the address counts as verified. If nobody had
      // before, whoever linked a provider claimed the address without proof (a tenant's
      // provider can claim any): those links are held until the owner links them again.
      await users.update(userId, {
        passwordHash: await hashPassword(newPassword),
        emailVerified: true,
      });
      if (!user.emailVerified) await new OAuthLinkRepository(manager).holdAllOfUser(userId);
      const ended = await this.support.revokeAll(manager, userId, 'password_reset');
      await appendEvent(manager, {
        type: EventType.PASSWORD_RESET,
        tenantId: null,
        actor: { kind: 'user', id: userId },
        payload: { userId, sessionsRevoked: ended.length },
      });
      await this.auth.lockout.clear(user.email);
      return ended;
    });
    await this.auth.revocations.announce(revoked);
    this.support.count('password_reset', 'ok');
    return true;
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const user = await new UserRepository(this.auth.dataSource.manager).findCredentialsByEmail(
      email,
    );
    if (!user || user.status !== 'ACTIVE') return;
    const decision = await this.auth.mailLimiter.consume(user.id);
    if (!decision.allowed) return;
    // The mail is written in the token's transaction: both are kept, or neither.
    await platformScope(this.auth.dataSource).run(async (manager) => {
      const token = await this.support.issueEmailToken(manager, user.id, 'reset_password');
      await appendEvent(manager, {
        type: EventType.PASSWORD_RESET_REQUESTED,
        tenantId: null,
        actor: null,
        payload: { userId: user.id },
      });
      const link = new URL('/reset-password', this.auth.config.APP_PUBLIC_URL);
      link.searchParams.set('token', token);
      await this.auth.mailer.send(
        {
          kind: 'auth.password_reset',
          to: user.email,
          subject: 'Reset your Tessera password',
          text: `Someone asked to reset the password of your Tessera account.\n\nTo choose a new password, open:\n${link.href}\n\nThe link works once and expires in ${this.auth.config.PASSWORD_RESET_TTL_MINUTES} minutes. If it was not you, ignore this mail.\n`,
        },
        manager,
      );
    });
  }
}

/** Tokens are 43 characters; anything much longer is refused before it is hashed. */
function boundedToken(token: string): string {
  if (token.length > 256) throw new ValidationError(INVALID_TOKEN, { field: 'token' });
  return token;
}
