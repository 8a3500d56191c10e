import type { RequestContext } from '../../../platform/context/request-context';
import { tenantScope } from '../../../platform/db/scope';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import type { OAuthLinkView } from '../entities/oauth-link.entity';
import type { UserEntity } from '../entities/user.entity';
import { vouchesForEmail } from './oauth-trust.policy';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { UserRepository } from '../repositories/user.repository';
import {
  AccountService,
  type SignedIn,
  type AccountServiceDeps,
} from '../credentials/account.service';
import type { AuthServices } from '../auth-services';
import { challengeSecondFactor, hasSecondFactor, type MfaChallengeModel } from '../mfa/mfa.service';
import {
  accountFor,
  identityOf,
  recordLink,
  type ProviderIdentity,
  type OAuthAccountDeps,
} from './oauth-account.service';
import { ProviderRefusedError, type OAuthProvider } from './oauth-provider-directory.client';
import type { OAuthState } from './oauth-state.store';

/** Only what this needs of what the auth process shares. */
export type OAuthServiceDeps = AccountServiceDeps &
  OAuthAccountDeps &
  Pick<AuthServices, 'config' | 'ipLimiter' | 'oauthProviders' | 'oauthStates'>;

const PROVIDER = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const INVALID_STATE = 'The sign-in link is invalid or has expired; start again';
const ASK_SECOND_FACTOR =
  'This account has a second factor: sign in with completeOAuthSignIn, which asks for it';

/**
 * Sign-in and account linking with a tenant's OAuth 2.0 / OIDC provider: authorization code
 * with PKCE (S256) and a single-use server-side state; the provider's user id is the key.
 * Links live under the provider's tenant, and so do the events about them.
 *
 * A tenant configures its providers itself, so what one says about an email proves nothing:
 * a provider account reaches an existing account only through a link its user made
 * (`linkOAuth`), or through an issuer the operator trusts (OAUTH_TRUSTED_ISSUERS). And the
 * provider is one factor: an account with a second factor is asked for it, as after a password.
 */
export class OAuthService {
  private readonly accounts: AccountService;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: OAuthServiceDeps,
  ) {
    this.accounts = new AccountService(request, auth);
  }

  async start(provider: string, tenantId: string | null | undefined, redirectUri: string) {
    await this.limit();
    const name = validProvider(provider);
    if (!tenantId) {
      throw new ValidationError('tenantId is required: OAuth providers are configured per tenant', {
        field: 'tenantId',
      });
    }
    const tenant = parseId(tenantId, 'tenantId');
    const redirect = this.validRedirect(redirectUri);
    const config = await this.provider(tenant, name);
    const principal = this.request.principal;
    const { state, codeChallenge } = await this.auth.oauthStates.create({
      tenantId: tenant,
      provider: name,
      redirectUri: redirect,
      userId: principal?.kind === 'user' ? principal.id : null,
    });
    const url = new URL(config.endpoints.authorizationUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('redirect_uri', redirect);
    url.searchParams.set('scope', config.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return { authorizationUrl: url.href, state };
  }

  /**
   * `completeOAuth`: signs in with the provider account (its linked user, or a new account).
   * It can only answer with a session, so an account with a second factor is refused, coded,
   * naming the call that asks for it (clients written before MFA keep working for the rest).
   */
  async complete(provider: string, code: string, state: string): Promise<SignedIn> {
    const user = await this.provenUser(provider, code, state);
    if (await hasSecondFactor(this.auth, user.id)) {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'mfa_required' });
      throw new ForbiddenError(ASK_SECOND_FACTOR);
    }
    return this.openSession(user);
  }

  /** `completeOAuthSignIn`: the same, answering an MfaChallenge when the account has one. */
  async completeSignIn(
    provider: string,
    code: string,
    state: string,
  ): Promise<SignedIn | MfaChallengeModel> {
    const user = await this.provenUser(provider, code, state);
    const challenge = await challengeSecondFactor(this.auth, user);
    if (challenge) {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'mfa_required' });
      return challenge;
    }
    return this.openSession(user);
  }

  /** Links the provider account to the signed-in user who started the flow. */
  async link(provider: string, code: string, state: string): Promise<OAuthLinkView> {
    const userId = this.requireUserId();
    await this.limit();
    const { started, identity } = await this.exchange(provider, code, state, userId);
    return tenantScope(this.auth.dataSource, started.tenantId).run(async (manager) => {
      const links = new OAuthLinkRepository(manager);
      const existing = await links.findByIdentity(started.provider, identity.subject);
      if (existing && existing.userId !== userId) {
        throw new ConflictError('This provider account is linked to another user');
      }
      if (existing && !existing.held) return existing;
      // Linking a held link again is its user's proof that it is theirs.
      return recordLink(manager, started, identity, userId, existing);
    });
  }

  /** Removes the user's links to `provider`, unless that leaves no way to sign in. */
  async unlink(provider: string): Promise<boolean> {
    const userId = this.requireUserId();
    const name = validProvider(provider);
    const manager = this.auth.dataSource.manager;
    const links = await new OAuthLinkRepository(manager).ofUser(userId);
    const removing = links.filter((link) => link.provider === name);
    if (removing.length === 0) throw new NotFoundError('OAuth link');
    const others = links.length - removing.length;
    if (others === 0 && !(await new UserRepository(manager).hasPasswordOrPasskey(userId))) {
      throw new ValidationError(
        'This is your last way to sign in: set a password or add a passkey first',
        { field: 'provider' },
      );
    }
    for (const tenantId of new Set(removing.map((link) => link.tenantId))) {
      await tenantScope(this.auth.dataSource, tenantId).run(async (tenantManager) => {
        await new OAuthLinkRepository(tenantManager).deleteOfUser(userId, name);
        await appendEvent(tenantManager, {
          type: EventType.OAUTH_UNLINKED,
          tenantId,
          payload: { userId, provider: name },
        });
      });
    }
    return true;
  }

  /** The user's links, to the user and platform admins; an empty list to anyone else. */
  async linksOf(user: UserEntity): Promise<OAuthLinkView[]> {
    const principal = this.request.principal;
    const self = principal?.kind === 'user' && principal.id === user.id;
    if (!self && !this.request.platformAdmin) return [];
    return new OAuthLinkRepository(this.auth.dataSource.manager).ofUser(user.id);
  }

  // ── the flow ───────────────────────────────────────────────────────────────

  /** The active user the provider account signs in: its first factor, proven. */
  private async provenUser(provider: string, code: string, state: string): Promise<UserEntity> {
    await this.limit();
    const { started, identity, config } = await this.exchange(provider, code, state);
    const trusted = vouchesForEmail(config, this.auth.config.OAUTH_TRUSTED_ISSUERS);
    const userId = await accountFor(this.auth, started, identity, trusted);
    const user = await new UserRepository(this.auth.dataSource.manager).findById(userId);
    if (!user) throw new UnauthenticatedError(INVALID_STATE);
    if (user.status !== 'ACTIVE') {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'inactive' });
      throw new ForbiddenError(`This account is ${user.status.toLowerCase()}`);
    }
    return user;
  }

  private async openSession(user: UserEntity): Promise<SignedIn> {
    this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'ok' });
    return this.accounts.openSession(user, EventType.SIGN_IN_SUCCEEDED);
  }

  private async exchange(
    provider: string,
    code: string,
    state: string,
    linkingUserId?: string,
  ): Promise<{ started: OAuthState; identity: ProviderIdentity; config: OAuthProvider }> {
    const name = validProvider(provider);
    if (code.length === 0 || code.length > 2048) {
      throw new ValidationError('code is missing or too long', { field: 'code' });
    }
    const started = await this.auth.oauthStates.consume(state);
    if (!started || started.provider !== name) {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'invalid_token' });
      throw new ValidationError(INVALID_STATE, { field: 'state' });
    }
    if (linkingUserId !== undefined && started.userId !== linkingUserId) {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'invalid_token' });
      throw new ValidationError('This sign-in link was started by someone else', {
        field: 'state',
      });
    }
    const config = await this.provider(started.tenantId, name);
    try {
      const token = await this.auth.oauthProviders.getJson(config.endpoints.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: started.redirectUri,
          client_id: config.clientId,
          client_secret: config.clientSecret,
          code_verifier: started.codeVerifier,
        }).toString(),
      });
      if (typeof token.access_token !== 'string') throw new ProviderRefusedError(200);
      const info = await this.auth.oauthProviders.getJson(config.endpoints.userInfoUrl, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      return { started, identity: identityOf(info), config };
    } catch (error) {
      if (error instanceof ProviderRefusedError) {
        this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'bad_credentials' });
        throw new UnauthenticatedError('The provider did not accept this sign-in; start again');
      }
      throw error;
    }
  }

  private async provider(tenantId: string, name: string): Promise<OAuthProvider> {
    const config = await this.auth.oauthProviders.find(tenantId, name, this.request.requestId);
    if (!config) throw new NotFoundError('OAuth provider');
    return config;
  }

  private validRedirect(redirectUri: string): string {
    let url: URL;
    try {
      url = new URL(redirectUri);
    } catch {
      throw new ValidationError('redirectUri must be an absolute URL', { field: 'redirectUri' });
    }
    if (
      redirectUri.length > 2048 ||
      url.hash ||
      url.username ||
      url.password ||
      !this.auth.config.OAUTH_REDIRECT_ORIGINS.includes(url.origin)
    ) {
      throw new ValidationError('redirectUri is not an allowed redirect for this service', {
        field: 'redirectUri',
      });
    }
    return url.href;
  }

  private async limit(): Promise<void> {
    const decision = await this.auth.ipLimiter.consume(this.request.ip ?? 'unknown');
    if (!decision.allowed) {
      this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'rate_limited' });
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
  }

  private requireUserId(): string {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in first');
    return principal.id;
  }
}

function validProvider(provider: string): string {
  if (!PROVIDER.test(provider)) {
    throw new ValidationError('provider must be a provider name like "google"', {
      field: 'provider',
    });
  }
  return provider;
}
