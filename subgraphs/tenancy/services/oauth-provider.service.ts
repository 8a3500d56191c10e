import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import { Redacted } from '../../../platform/crypto/redacted';
import { type KeyRing } from '../../../platform/crypto/key-ring';
import { tenantScope, type TenantScope } from '../../../platform/db/scope';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { OAuthProviderEntity } from '../entities/oauth-provider.entity';
import {
  OAuthProviderRepository,
  PROVIDER_CHANGES_LOCK,
} from '../repositories/oauth-provider.repository';
import {
  validOAuthProviderInput,
  validProviderName,
  type OAuthProviderInput,
} from './oauth-provider-input';

/** Enough for every identity provider a real organisation uses, too few to flood the table. */
export const MAX_OAUTH_PROVIDERS_PER_TENANT = 10;

/** What the tenancy process builds once for OAuth providers (see setup.ts). */
export interface OAuthProviderSettings {
  keyRing: KeyRing;
  /** http endpoint URLs on a loopback host are accepted outside production only. */
  allowLoopbackHttp: boolean;
}

/** A provider with its client secret decrypted, held so it cannot reach a log line. */
export interface DecryptedOAuthProvider {
  config: OAuthProviderEntity;
  clientSecret: Redacted<string>;
}

/**
 * The envelope's associated data: the row's tenant and name. An envelope copied into another
 * row (another provider, another tenant) then fails to decrypt instead of handing over a
 * secret meant for a different provider.
 */
export function secretAad(tenantId: string, provider: string): string {
  return `${tenantId}:${provider}`;
}

/** A tenant's OAuth providers, managed by its OWNERs and ADMINs. */
export class OAuthProviderService {
  private readonly scope: TenantScope;

  constructor(
    dataSource: DataSource,
    private readonly request: RequestContext,
    private readonly settings: OAuthProviderSettings,
  ) {
    this.scope = tenantScope(dataSource, request);
  }

  list(): Promise<OAuthProviderEntity[]> {
    this.requireManager('list');
    return this.scope.run((manager) =>
      new OAuthProviderRepository(manager).list(this.scope.tenantId),
    );
  }

  /** Creates the provider, or replaces the one of the same name (upsert). */
  async configure(input: OAuthProviderInput): Promise<OAuthProviderEntity> {
    this.requireManager('configure');
    const valid = validOAuthProviderInput(input, {
      allowLoopbackHttp: this.settings.allowLoopbackHttp,
    });
    const tenantId = this.scope.tenantId;
    const clientSecretEncrypted = this.settings.keyRing.encrypt(
      valid.clientSecret.reveal(),
      secretAad(tenantId, valid.provider),
    );
    return this.scope.run(
      async (manager) => {
        const providers = new OAuthProviderRepository(manager);
        if (
          !(await providers.exists(tenantId, valid.provider)) &&
          (await providers.count(tenantId)) >= MAX_OAUTH_PROVIDERS_PER_TENANT
        ) {
          throw new ValidationError(
            `A tenant may configure at most ${MAX_OAUTH_PROVIDERS_PER_TENANT} OAuth providers: remove one first`,
            { field: 'provider' },
          );
        }
        const { provider, created } = await providers.upsert({
          tenantId,
          provider: valid.provider,
          clientId: valid.clientId,
          clientSecretEncrypted,
          issuer: valid.issuer,
          authorizationUrl: valid.authorizationUrl,
          tokenUrl: valid.tokenUrl,
          userInfoUrl: valid.userInfoUrl,
          enabled: valid.enabled,
        });
        await appendEvent(manager, {
          type: EventType.OAUTH_PROVIDER_CONFIGURED,
          // Never the secret, not even encrypted: webhooks carry these payloads out.
          payload: {
            provider: provider.provider,
            clientId: provider.clientId,
            issuer: provider.issuer,
            authorizationUrl: provider.authorizationUrl,
            tokenUrl: provider.tokenUrl,
            userInfoUrl: provider.userInfoUrl,
            enabled: provider.enabled,
            created,
          },
        });
        return provider;
      },
      { lockTenant: PROVIDER_CHANGES_LOCK },
    );
  }

  /** NOT_FOUND when the tenant has no provider of that name. */
  async remove(name: string): Promise<boolean> {
    this.requireManager('remove');
    const provider = validProviderName(name);
    const tenantId = this.scope.tenantId;
    await this.scope.run(async (manager) => {
      if (!(await new OAuthProviderRepository(manager).remove(tenantId, provider))) {
        throw new NotFoundError('OAuth provider');
      }
      await appendEvent(manager, {
        type: EventType.OAUTH_PROVIDER_REMOVED,
        payload: { provider },
      });
    });
    return true;
  }

  /** Signed-in OWNERs and ADMINs only: the secret protects every sign-in of the tenant. */
  private requireManager(action: string): void {
    const { principal, role } = this.request;
    if (!principal) throw new UnauthenticatedError(`Sign in to ${action} OAuth providers`);
    if (principal.kind !== 'user') {
      throw new ForbiddenError(`API keys cannot ${action} OAuth providers: sign in as a user`);
    }
    if (role !== 'OWNER' && role !== 'ADMIN') {
      throw new ForbiddenError(`Only OWNERs and ADMINs of this tenant ${action} OAuth providers`);
    }
  }
}

/**
 * The auth service's question during an OAuth sign-in, asked through the internal route (which
 * has verified the service signature). Read in the tenant's own transaction, so row-level
 * security applies. Null when the tenant has no such provider; throws the key ring's
 * DecryptionError when the stored envelope does not belong to this row.
 */
export async function resolveOAuthProvider(
  dataSource: DataSource,
  keyRing: KeyRing,
  tenantId: string,
  provider: string,
): Promise<DecryptedOAuthProvider | null> {
  const found = await tenantScope(dataSource, tenantId).run((manager) =>
    new OAuthProviderRepository(manager).findWithSecret(tenantId, provider),
  );
  if (!found) return null;
  return {
    config: found.config,
    clientSecret: new Redacted(
      keyRing.decrypt(found.clientSecretEncrypted, secretAad(tenantId, provider)),
    ),
  };
}
