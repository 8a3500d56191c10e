import DataLoader from 'dataloader';
import type { RequestContext } from '../../../platform/context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors';
import { appendEvent, EventType } from '../../../platform/events';
import { isUuid } from '../../../platform/graphql';
import type { PasskeyEntity } from '../entities/passkey.entity';
import type { UserEntity } from '../entities/user.entity';
import type { AuthAttemptKind, AuthOutcome } from '../metrics';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { PasskeyRepository } from '../repositories/passkey.repository';
import { UserRepository } from '../repositories/user.repository';
import {
  AccountService,
  type SignedIn,
  type AccountServiceDeps,
} from '../credentials/account.service';
import type { AuthServices } from '../auth-services';
import { normalizeEmail } from '../credentials/email.input';
import { consumeMfaToken } from '../mfa/mfa.service';
import {
  creationOptions,
  decoyCredential,
  requestOptions,
  userHandleOf,
  verifyAssertion,
  verifyRegistration,
} from './webauthn-ceremony.service';
import { saveChallenge, takeChallenge, type ChallengeStoreDeps } from './webauthn-challenge.store';
import {
  challengeOf,
  isCredentialId,
  normalizePasskeyName,
  parseAuthenticationResponse,
  parseRegistrationResponse,
} from './webauthn.input';

/** Only what this needs of what the auth process shares. */
export type PasskeyServiceDeps = AccountServiceDeps &
  ChallengeStoreDeps &
  Pick<AuthServices, 'logger'>;

/** Enough for every device a person owns, few enough that the lists stay small. */
export const MAX_PASSKEYS_PER_USER = 20;

const EXPIRED_CHALLENGE = 'This passkey request is invalid or has expired: start again';
const NOT_RECOGNIZED = 'This passkey is not recognized';
const NOT_VERIFIED = 'The passkey could not be verified';

/** Registering, using and removing passkeys, and the passkey step of a two-factor sign-in. */
export class PasskeyService {
  private readonly accounts: AccountService;
  private readonly byUser: DataLoader<string, PasskeyEntity[]>;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: PasskeyServiceDeps,
  ) {
    this.accounts = new AccountService(request, auth);
    // One query for the passkeys of every user in a response (a list of users asks per row).
    this.byUser = new DataLoader(async (userIds) => {
      const rows = await new PasskeyRepository(auth.dataSource.manager).listOfUsers(userIds);
      return userIds.map((id) => rows.filter((row) => row.userId === id));
    });
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
    const response = this.guard(kind, () => parseRegistrationResponse(rawResponse));
    const name = normalizePasskeyName(rawName);
    const challenge = this.guard(kind, () => challengeOf(response.response.clientDataJSON));
    const record = challenge ? await takeChallenge(this.auth, challenge) : null;
    if (!challenge || record?.purpose !== 'registration' || record.userId !== userId) {
      this.count(kind, 'invalid_token');
      throw new ValidationError(EXPIRED_CHALLENGE, { field: 'response' });
    }
    const verified = await verifyRegistration(this.auth.config, response, challenge);
    if (!verified.ok) {
      this.auth.logger.info({ reason: verified.reason }, 'passkey registration refused');
      this.count(kind, 'invalid_response');
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
      this.count(kind, 'invalid_response');
      throw new ValidationError(NOT_VERIFIED, { field: 'response' });
    }
    const passkey = await this.auth.dataSource.transaction(async (manager) => {
      // The user's row lock serializes registrations, so the cap holds under concurrency.
      const user = await new UserRepository(manager).findCredentialsById(userId);
      if (!user) throw new UnauthenticatedError();
      const passkeys = new PasskeyRepository(manager);
      this.assertBelowCap(await passkeys.countOf(userId));
      const inserted = await passkeys.insert({ userId, ...credential, name });
      if (!inserted) {
        this.count(kind, 'conflict');
        throw new ConflictError('This passkey is registered already');
      }
      await appendEvent(manager, {
        type: EventType.PASSKEY_REGISTERED,
        tenantId: null,
        payload: { userId, passkeyId: inserted.id },
      });
      return inserted;
    });
    this.count(kind, 'ok');
    return passkey;
  }

  /**
   * Request options. With `email`, they list that account's passkeys (for authenticators that
   * keep no discoverable credential) and only that account may answer; an address without
   * passkeys gets a stable decoy, so the answer does not tell whether it has an account.
   */
  async startAuthentication(email: string | null | undefined): Promise<unknown> {
    await this.limitByIp('passkey_sign_in');
    if (email === null || email === undefined) {
      const options = await requestOptions(this.auth.config, undefined);
      await saveChallenge(this.auth, options.challenge, {
        purpose: 'authentication',
        userId: null,
        bound: false,
      });
      return options;
    }
    const normalized = normalizeEmail(email);
    const manager = this.auth.dataSource.manager;
    const user = await new UserRepository(manager).findCredentialsByEmail(normalized);
    const passkeys = user ? await new PasskeyRepository(manager).listOf(user.id) : [];
    const allowed = passkeys.length
      ? passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports }))
      : [decoyCredential(this.auth.config, normalized)];
    const options = await requestOptions(this.auth.config, allowed);
    await saveChallenge(this.auth, options.challenge, {
      purpose: 'authentication',
      userId: user?.id ?? null,
      bound: true,
    });
    return options;
  }

  /**
   * Signs in with a passkey. Without `mfaToken` the passkey is the only factor, so the
   * authenticator must have verified the user; with it, a first factor (a password or a
   * provider account) was checked already and the passkey must belong to that same account.
   */
  async finishAuthentication(
    rawResponse: unknown,
    mfaToken: string | null | undefined,
  ): Promise<SignedIn> {
    const mfa = mfaToken !== null && mfaToken !== undefined;
    const kind: AuthAttemptKind = mfa ? 'mfa' : 'passkey_sign_in';
    await this.limitByIp(kind);
    const response = this.guard(kind, () => parseAuthenticationResponse(rawResponse));
    const challenge = this.guard(kind, () => challengeOf(response.response.clientDataJSON));
    // Both are spent before anything is checked: a failed attempt cannot be retried with them.
    const record = challenge ? await takeChallenge(this.auth, challenge) : null;
    const mfaUserId = mfa ? await consumeMfaToken(this.auth, mfaToken) : null;
    if (mfa && !mfaUserId) {
      this.count(kind, 'invalid_token');
      throw new UnauthenticatedError('This sign-in has expired: sign in again from the first step');
    }
    if (!challenge || record?.purpose !== 'authentication') {
      this.count(kind, 'invalid_token');
      throw new UnauthenticatedError(EXPIRED_CHALLENGE);
    }

    const passkeys = new PasskeyRepository(this.auth.dataSource.manager);
    const passkey = await passkeys.findByCredentialId(response.id);
    const owner = passkey?.userId ?? null;
    const handle = response.response.userHandle;
    if (
      !passkey ||
      (mfaUserId !== null && owner !== mfaUserId) ||
      (record.bound && owner !== record.userId) ||
      (handle !== undefined && handle !== userHandleOf(passkey.userId))
    ) {
      await this.recordFailure(mfaUserId ?? record.userId ?? owner, 'bad_credentials');
      this.count(kind, 'bad_credentials');
      throw new UnauthenticatedError(NOT_RECOGNIZED);
    }

    const verified = await verifyAssertion(this.auth.config, response, challenge, passkey, !mfa);
    if (!verified.ok) {
      this.auth.logger.info(
        { reason: verified.reason, passkeyId: passkey.id },
        'passkey assertion refused',
      );
      await this.recordFailure(passkey.userId, 'invalid_response');
      this.count(kind, 'invalid_response');
      throw new UnauthenticatedError(NOT_VERIFIED);
    }
    if (!(await passkeys.recordUse(passkey.id, verified.value.counter))) {
      // Another authenticator answered with this credential: most likely a clone.
      this.auth.logger.warn(
        { passkeyId: passkey.id, userId: passkey.userId, counter: verified.value.counter },
        'passkey signature counter did not increase',
      );
      await this.recordFailure(passkey.userId, 'counter_regression');
      this.count(kind, 'counter_regression');
      throw new UnauthenticatedError(NOT_VERIFIED);
    }

    const user = await new UserRepository(this.auth.dataSource.manager).findById(passkey.userId);
    if (!user || user.status !== 'ACTIVE') {
      await this.recordFailure(passkey.userId, 'inactive');
      this.count(kind, 'inactive');
      throw new ForbiddenError(`This account is ${user?.status.toLowerCase() ?? 'gone'}`);
    }
    const signedIn = await this.accounts.openSession(user, EventType.SIGN_IN_SUCCEEDED);
    this.count(kind, 'ok');
    return signedIn;
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
    await this.auth.dataSource.transaction(async (manager) => {
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
      this.count('passkey_registration', 'limit_reached');
      throw new ValidationError(
        `An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys: remove one first`,
      );
    }
  }

  /** Runs a parse step, counting its refusal as a malformed response. */
  private guard<T>(kind: AuthAttemptKind, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      this.count(kind, 'invalid_response');
      throw error;
    }
  }

  private async recordFailure(userId: string | null, reason: AuthOutcome): Promise<void> {
    await this.auth.dataSource.transaction((manager) =>
      appendEvent(manager, {
        type: EventType.SIGN_IN_FAILED,
        tenantId: null,
        actor: null,
        payload: { userId, reason, method: 'passkey' },
      }),
    );
  }

  private async limitByIp(kind: AuthAttemptKind): Promise<void> {
    const decision = await this.auth.ipLimiter.consume(this.request.ip ?? 'unknown');
    if (!decision.allowed) {
      this.count(kind, 'rate_limited');
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
  }

  private count(kind: AuthAttemptKind, outcome: AuthOutcome): void {
    this.auth.metrics.attempts.inc({ kind, outcome });
  }
}
