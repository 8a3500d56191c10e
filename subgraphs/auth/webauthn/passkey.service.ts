import type DataLoader from 'dataloader';
import type { RequestContext } from '../../../platform/context/request-context';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { platformScope } from '../../../platform/db/scope';
import { byIdLoader } from '../../../platform/graphql/by-id-loader';
import { isUuid } from '../../../platform/graphql/ids';
import type { PasskeyEntity } from '../entities/passkey.entity';
import type { UserEntity } from '../entities/user.entity';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { PasskeyRepository } from '../repositories/passkey.repository';
import { UserRepository } from '../repositories/user.repository';
import { AccountService, type AccountServiceDeps } from '../credentials/account.service';
import type { AuthServices } from '../auth-services';
import { creationOptions, verifyRegistration } from './webauthn-ceremony.service';
import { PasskeyAttempts, type PasskeyAttemptsDeps } from './passkey-attempts.service';
import { saveChallenge, takeChallenge, type ChallengeStoreDeps } from './webauthn-challenge.store';
import {
  challengeOf,
  isCredentialId,
  normalizePasskeyName,
  parseRegistrationResponse,
} from './webauthn.input';

/** Only what this needs of what the auth process shares. */
export type PasskeyServiceDeps = AccountServiceDeps &
  ChallengeStoreDeps &
  PasskeyAttemptsDeps &
  Pick<AuthServices, 'logger'>;

/** Enough for every device a person owns, few enough that the lists stay small. */
export const MAX_PASSKEYS_PER_USER = 20;

export const EXPIRED_CHALLENGE = 'This passkey request is invalid or has expired: start again';
export const NOT_VERIFIED = 'The passkey could not be verified';

/** A user's passkeys: listing, registering, removing (signing in: passkey-sign-in.service.ts). */
export class PasskeyService {
  private readonly accounts: AccountService;
  private readonly byUser: DataLoader<string, PasskeyEntity[]>;
  private readonly attempts: PasskeyAttempts;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: PasskeyServiceDeps,
  ) {
    this.accounts = new AccountService(request, auth);
    this.attempts = new PasskeyAttempts(request, auth);
    // One query for the passkeys of every user in a response (a list of users asks per row):
    // passkeys belong to no tenant, so the lookup is that one statement, with no transaction.
    this.byUser = byIdLoader(
      (userIds) => new PasskeyRepository(auth.dataSource.manager).listOfUsers(userIds),
      (passkey) => passkey.userId,
      { many: true },
    );
  }

  /**
   * `User.passkeys`: the user's own, or any user's for a platform admin. Anyone else gets an
   * empty list rather than an error: User is reached through other subgraphs' lists (members,
   * audit actors), where an error on this non-null field would wipe out the whole row, and an
   * empty list says nothing about whether the user has passkeys.
   */
  async of(user: UserEntity): Promise<PasskeyEntity[]> {
    const principal = this.request.principal;
    const self = principal?.kind === 'user' && principal.id === user.id;
    if (!self && !this.request.platformAdmin) return [];
    return this.byUser.load(user.id);
  }

  async startRegistration(): Promise<unknown> {
    const userId = this.accounts.requireUserId();
    const manager = this.auth.dataSource.manager;
    const user = await new UserRepository(manager).findById(userId);
    if (!user) throw new UnauthenticatedError();
    const existing = await new PasskeyRepository(manager).listOf(userId);
    this.assertBelowCap(existing.length);
    const options = await creationOptions(this.auth.config, user, existing);
    await saveChallenge(this.auth, options.challenge, {
      purpose: 'registration',
      userId,
      bound: true,
    });
    return options;
  }

  async finishRegistration(
    rawResponse: unknown,
    rawName: string | null | undefined,
  ): Promise<PasskeyEntity> {
    const kind = 'passkey_registration';
    const userId = this.accounts.requireUserId();
    const response = this.attempts.guard(kind, () => parseRegistrationResponse(rawResponse));
    const name = normalizePasskeyName(rawName);
    const challenge = this.attempts.guard(kind, () =>
      challengeOf(response.response.clientDataJSON),
    );
    const record = challenge ? await takeChallenge(this.auth, challenge) : null;
    if (!challenge || record?.purpose !== 'registration' || record.userId !== userId) {
      this.attempts.count(kind, 'invalid_token');
      throw new ValidationError(EXPIRED_CHALLENGE, { field: 'response' });
    }
    const verified = await verifyRegistration(this.auth.config, response, challenge);
    if (!verified.ok) {
      this.auth.logger.info({ reason: verified.reason }, 'passkey registration refused');
      this.attempts.count(kind, 'invalid_response');
      throw new ValidationError(NOT_VERIFIED, { field: 'response' });
    }
    const credential = verified.value;
    // What the authenticator data holds is not bounded by the JSON checks: bound it here.
    const { publicKey } = credential;
    if (
      !isCredentialId(credential.credentialId) ||
      publicKey.length < 32 ||
      publicKey.length > 2048
    ) {
      this.attempts.count(kind, 'invalid_response');
      throw new ValidationError(NOT_VERIFIED, { field: 'response' });
    }
    const passkey = await platformScope(this.auth.dataSource).run(async (manager) => {
      // The user's row lock serializes registrations, so the cap holds under concurrency.
      const user = await new UserRepository(manager).findCredentialsById(userId);
      if (!user) throw new UnauthenticatedError();
      const passkeys = new PasskeyRepository(manager);
      this.assertBelowCap(await passkeys.countOf(userId));
      const inserted = await passkeys.insert({ userId, ...credential, name });
      if (!inserted) {
        this.attempts.count(kind, 'conflict');
        throw new ConflictError('This passkey is registered already');
      }
      await appendEvent(manager, {
        type: EventType.PASSKEY_REGISTERED,
        tenantId: null,
        payload: { userId, passkeyId: inserted.id },
      });
      return inserted;
    });
    this.attempts.count(kind, 'ok');
    return passkey;
  }

  /**
   * Removes one of the caller's passkeys. Another user's passkey is NOT_FOUND, like one that
   * does not exist. The last passkey of an account with neither a password nor an OAuth link
   * is its only way in, so it stays.
   */
  async remove(id: string): Promise<boolean> {
    const userId = this.accounts.requireUserId();
    if (!isUuid(id)) throw new NotFoundError('Passkey');
    const passkeyId = id.toLowerCase();
    await platformScope(this.auth.dataSource).run(async (manager) => {
      const user = await new UserRepository(manager).findCredentialsById(userId);
      if (!user) throw new UnauthenticatedError();
      const passkeys = new PasskeyRepository(manager);
      if (!(await passkeys.findOwned(passkeyId, userId))) throw new NotFoundError('Passkey');
      const otherMethods =
        Boolean(user.passwordHash) ||
        (await new OAuthLinkRepository(manager).ofUser(userId)).length > 0;
      if (!otherMethods && (await passkeys.countOf(userId)) <= 1) {
        throw new ValidationError(
          'This passkey is the last way to sign in to this account: set a password or add another passkey first',
          { field: 'id' },
        );
      }
      await passkeys.delete(passkeyId, userId);
      await appendEvent(manager, {
        type: EventType.PASSKEY_REMOVED,
        tenantId: null,
        payload: { userId, passkeyId },
      });
    });
    return true;
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  private assertBelowCap(count: number): void {
    if (count >= MAX_PASSKEYS_PER_USER) {
      this.attempts.count('passkey_registration', 'limit_reached');
      throw new ValidationError(
        `An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys: remove one first`,
      );
    }
  }
}
