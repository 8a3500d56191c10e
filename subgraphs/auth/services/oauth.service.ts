import type { RequestContext } from '../../../platform/context';
import { withTenantTransaction } from '../../../platform/db';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors';
import { appendEvent, EventType } from '../../../platform/events';
import { parseId } from '../../../platform/graphql';
import type { OAuthLinkView } from '../entities/oauth-link.entity';
import type { UserEntity } from '../entities/user.entity';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { UserRepository } from '../repositories/user.repository';
import { AccountService, type SignedIn } from './account.service';
import type { AuthServices } from './auth-services';
import { normalizeEmail } from './email';
import { ProviderRefusedError, type OAuthProvider } from './oauth-providers';
import type { OAuthState } from './oauth-state';

const PROVIDER = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const INVALID_STATE = 'The sign-in link is invalid or has expired; start again';

interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

/**
 * Sign-in and account linking with a tenant's OAuth 2.0 / OIDC provider: authorization code
 * with PKCE (S256) and a single-use server-side state; the provider's user id is the key.
 * Links live under the provider's tenant, and so do the events about them.
 */
export class OAuthService {
  private readonly accounts: AccountService;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: AuthServices,
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

  /** Signs in with the provider account: the linked user, or a new one. */
  async complete(provider: string, code: string, state: string): Promise<SignedIn> {
    await this.limit();
    const { started, identity } = await this.exchange(provider, code, state);
    const userId = await this.userFor(started, identity);
    const user = await new UserRepository(this.auth.dataSource.manager).findById(userId);
    if (!user) throw new UnauthenticatedError(INVALID_STATE);
    if (user.status !== 'ACTIVE')
      throw new ForbiddenError(`This account is ${user.status.toLowerCase()}`);
    this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'ok' });
    return this.accounts.openSession(user, EventType.SIGN_IN_SUCCEEDED);
  }

  /** Links the provider account to the signed-in user who started the flow. */
  async link(provider: string, code: string, state: string): Promise<OAuthLinkView> {
    const userId = this.requireUserId();
    await this.limit();
    const { started, identity } = await this.exchange(provider, code, state, userId);
    return withTenantTransaction(this.auth.dataSource, started.tenantId, async (manager) => {
      const links = new OAuthLinkRepository(manager);
      const existing = await links.findByIdentity(started.provider, identity.subject);
      if (existing && existing.userId !== userId) {
        throw new ConflictError('This provider account is linked to another user');
      }
      const link =
        existing ??
        (await links.insert({
          tenantId: started.tenantId,
          userId,
          provider: started.provider,
          providerUserId: identity.subject,
          email: identity.email,
        }));
      if (!existing) {
        await appendEvent(manager, {
          type: EventType.OAUTH_LINKED,
          tenantId: started.tenantId,
          payload: { userId, provider: started.provider },
        });
      }
      return link;
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
    if (others === 0 && !(await this.hasOtherSignInMethod(userId))) {
      throw new ValidationError(
        'This is your last way to sign in: set a password or add a passkey first',
        { field: 'provider' },
      );
    }
    for (const tenantId of new Set(removing.map((link) => link.tenantId))) {
      await withTenantTransaction(this.auth.dataSource, tenantId, async (tenantManager) => {
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

  private async exchange(
    provider: string,
    code: string,
    state: string,
    linkingUserId?: string,
  ): Promise<{ started: OAuthState; identity: ProviderIdentity }> {
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
      return { started, identity: identityOf(info) };
    } catch (error) {
      if (error instanceof ProviderRefusedError) {
        this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'bad_credentials' });
        throw new UnauthenticatedError('The provider did not accept this sign-in; start again');
      }
      throw error;
    }
  }

  /**
   * The user the provider account belongs to. An unknown account with the email of an
   * existing user is linked only when both sides verified that email; otherwise the person
   * must sign in and link, so a provider that does not check emails cannot take accounts over.
   */
  private async userFor(started: OAuthState, identity: ProviderIdentity): Promise<string> {
    const result = await withTenantTransaction(
      this.auth.dataSource,
      started.tenantId,
      async (manager) => {
        const links = new OAuthLinkRepository(manager);
        const linked = await links.findByIdentity(started.provider, identity.subject);
        if (linked) {
          await links.touch(linked.id);
          return linked.userId;
        }
        if (!identity.email) {
          throw new ValidationError('The provider did not share an email address');
        }
        const users = new UserRepository(manager);
        const existing = await users.findCredentialsByEmail(identity.email);
        let userId: string;
        if (existing) {
          if (!(identity.emailVerified && existing.emailVerified)) {
            this.auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'conflict' });
            throw new ConflictError(
              'An account with this email exists: sign in to it and link this provider there',
            );
          }
          userId = existing.id;
        } else {
          const created = await users.insert({
            email: identity.email,
            passwordHash: null,
            displayName: null,
            emailVerified: identity.emailVerified,
          });
          if (!created) throw new ConflictError('An account with this email already exists');
          userId = created.id;
          await appendEvent(manager, {
            type: EventType.USER_SIGNED_UP,
            tenantId: started.tenantId,
            actor: { kind: 'user', id: userId },
            payload: { userId, via: 'oauth', provider: started.provider },
          });
        }
        await links.insert({
          tenantId: started.tenantId,
          userId,
          provider: started.provider,
          providerUserId: identity.subject,
          email: identity.email,
        });
        await appendEvent(manager, {
          type: EventType.OAUTH_LINKED,
          tenantId: started.tenantId,
          actor: { kind: 'user', id: userId },
          payload: { userId, provider: started.provider },
        });
        return userId;
      },
    );
    return result;
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

  private async hasOtherSignInMethod(userId: string): Promise<boolean> {
    const [row] = (await this.auth.dataSource.query(
      `SELECT (u.password_hash IS NOT NULL) AS password,
              EXISTS (SELECT 1 FROM auth.passkeys p WHERE p.user_id = u.id) AS passkey
         FROM auth.users u WHERE u.id = $1`,
      [userId],
    )) as { password: boolean; passkey: boolean }[];
    return Boolean(row?.password || row?.passkey);
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

/** `sub` (OIDC) or `id` (plain OAuth 2.0 APIs), and the email if the provider shares it. */
function identityOf(info: Record<string, unknown>): ProviderIdentity {
  const subject = info.sub ?? info.id;
  if (
    (typeof subject !== 'string' && typeof subject !== 'number') ||
    String(subject).length > 255
  ) {
    throw new ProviderRefusedError(200);
  }
  let email: string | null = null;
  if (typeof info.email === 'string') {
    try {
      email = normalizeEmail(info.email);
    } catch {
      email = null;
    }
  }
  return { subject: String(subject), email, emailVerified: info.email_verified === true };
}
