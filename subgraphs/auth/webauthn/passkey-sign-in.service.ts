import type { RequestContext } from '../../../platform/context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors/domain-errors';
import { EventType } from '../../../platform/events/event-types';
import type { AuthAttemptKind } from '../metrics';
import { PasskeyRepository } from '../repositories/passkey.repository';
import { UserRepository } from '../repositories/user.repository';
import { AccountService, type SignedIn } from '../credentials/account.service';
import { normalizeEmail } from '../../../platform/mail/address';
import { consumeMfaToken } from '../mfa/mfa.service';
import { EXPIRED_CHALLENGE, NOT_VERIFIED, type PasskeyServiceDeps } from './passkey.service';
import { PasskeyAttempts } from './passkey-attempts.service';
import {
  decoyCredential,
  requestOptions,
  userHandleOf,
  verifyAssertion,
} from './webauthn-ceremony.service';
import { saveChallenge, takeChallenge } from './webauthn-challenge.store';
import { challengeOf, parseAuthenticationResponse } from './webauthn.input';

const NOT_RECOGNIZED = 'This passkey is not recognized';

/** Signing in with a passkey, alone or as the second factor after a password or a provider. */
export class PasskeySignInService {
  private readonly accounts: AccountService;
  private readonly attempts: PasskeyAttempts;

  constructor(
    request: RequestContext,
    private readonly auth: PasskeyServiceDeps,
  ) {
    this.accounts = new AccountService(request, auth);
    this.attempts = new PasskeyAttempts(request, auth);
  }

  /**
   * Request options. With `email`, they list that account's passkeys (for authenticators that
   * keep no discoverable credential) and only that account may answer; an address without
   * passkeys gets a stable decoy, so the answer does not tell whether it has an account.
   */
  async startAuthentication(email: string | null | undefined): Promise<unknown> {
    await this.attempts.limitByIp('passkey_sign_in');
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
    await this.attempts.limitByIp(kind);
    const response = this.attempts.guard(kind, () => parseAuthenticationResponse(rawResponse));
    const challenge = this.attempts.guard(kind, () =>
      challengeOf(response.response.clientDataJSON),
    );
    // Both are spent before anything is checked: a failed attempt cannot be retried with them.
    const record = challenge ? await takeChallenge(this.auth, challenge) : null;
    const mfaUserId = mfa ? await consumeMfaToken(this.auth, mfaToken) : null;
    if (mfa && !mfaUserId) {
      this.attempts.count(kind, 'invalid_token');
      throw new UnauthenticatedError('This sign-in has expired: sign in again from the first step');
    }
    if (!challenge || record?.purpose !== 'authentication') {
      this.attempts.count(kind, 'invalid_token');
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
      await this.attempts.recordFailure(mfaUserId ?? record.userId ?? owner, 'bad_credentials');
      this.attempts.count(kind, 'bad_credentials');
      throw new UnauthenticatedError(NOT_RECOGNIZED);
    }

    const verified = await verifyAssertion(this.auth.config, response, challenge, passkey, !mfa);
    if (!verified.ok) {
      this.auth.logger.info(
        { reason: verified.reason, passkeyId: passkey.id },
        'passkey assertion refused',
      );
      await this.attempts.recordFailure(passkey.userId, 'invalid_response');
      this.attempts.count(kind, 'invalid_response');
      throw new UnauthenticatedError(NOT_VERIFIED);
    }
    if (!(await passkeys.recordUse(passkey.id, verified.value.counter))) {
      // Another authenticator answered with this credential: most likely a clone.
      this.auth.logger.warn(
        { passkeyId: passkey.id, userId: passkey.userId, counter: verified.value.counter },
        'passkey signature counter did not increase',
      );
      await this.attempts.recordFailure(passkey.userId, 'counter_regression');
      this.attempts.count(kind, 'counter_regression');
      throw new UnauthenticatedError(NOT_VERIFIED);
    }

    const user = await new UserRepository(this.auth.dataSource.manager).findById(passkey.userId);
    if (!user || user.status !== 'ACTIVE') {
      await this.attempts.recordFailure(passkey.userId, 'inactive');
      this.attempts.count(kind, 'inactive');
      throw new ForbiddenError(`This account is ${user?.status.toLowerCase() ?? 'gone'}`);
    }
    const signedIn = await this.accounts.openSession(user, EventType.SIGN_IN_SUCCEEDED);
    this.attempts.count(kind, 'ok');
    return signedIn;
  }
}
