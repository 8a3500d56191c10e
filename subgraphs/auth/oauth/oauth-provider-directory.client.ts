import type { Logger } from 'pino';
import {
  oauthProviderLookupCall,
  type ResolvedOAuthProvider,
} from '../../../platform/contracts/tenancy/oauth-provider-lookup';
import { ServiceUnavailableError } from '../../../platform/errors/domain-errors';
import type { InternalClient } from '../../../platform/internal-calls/client';
import { endpointSchemeProblem } from '../../../platform/outbound/endpoint-scheme';
import { safeFetch } from '../../../platform/outbound/safe-fetch';
import { OutboundRequestError } from '../../../platform/outbound/errors';
import { type OutboundPolicy } from '../../../platform/outbound/policy';

export interface ProviderEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
}

export type OAuthProvider = ResolvedOAuthProvider & { endpoints: ProviderEndpoints };

/**
 * Reads a tenant's OAuth provider from tenancy (which keeps the client secret encrypted) and
 * completes its endpoints from OIDC discovery when only an issuer is configured. Discovery
 * documents are cached per issuer; every outbound call goes through the SSRF-safe client.
 * Every endpoint, configured or discovered, must be https (http only on a loopback host where
 * `allowLoopbackHttp`): tenancy checked the configured ones when they were saved, but rows
 * saved under an older rule and discovery documents are checked here, where they are used.
 */
export class OAuthProviderDirectory {
  private readonly discovered = new Map<string, { endpoints: ProviderEndpoints; until: number }>();

  constructor(
    private readonly internal: InternalClient,
    private readonly outbound: OutboundPolicy,
    private readonly logger: Logger,
    private readonly allowLoopbackHttp: boolean,
  ) {}

  async find(tenantId: string, provider: string, requestId: string): Promise<OAuthProvider | null> {
    const question = oauthProviderLookupCall.request.safeParse({ tenantId, provider });
    // A tenant id or provider name that cannot exist names no provider.
    if (!question.success) return null;
    const answer = await this.internal.call(oauthProviderLookupCall, question.data, {
      requestId,
    });
    if (!answer.provider || !answer.provider.enabled) return null;
    return { ...answer.provider, endpoints: await this.endpointsOf(answer.provider) };
  }

  private async endpointsOf(provider: ResolvedOAuthProvider): Promise<ProviderEndpoints> {
    if (provider.authorizationUrl && provider.tokenUrl && provider.userInfoUrl) {
      return this.usable(provider.provider, {
        authorizationUrl: provider.authorizationUrl,
        tokenUrl: provider.tokenUrl,
        userInfoUrl: provider.userInfoUrl,
      });
    }
    const issuer = provider.issuer!;
    const cached = this.discovered.get(issuer);
    if (cached && cached.until > Date.now()) return cached.endpoints;
    this.usable(provider.provider, { issuer });
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const document = await this.getJson(url);
    const endpoints = this.usable(provider.provider, {
      authorizationUrl: stringField(document.authorization_endpoint),
      tokenUrl: stringField(document.token_endpoint),
      userInfoUrl: stringField(document.userinfo_endpoint),
    });
    this.discovered.set(issuer, { endpoints, until: Date.now() + 10 * 60_000 });
    return endpoints;
  }

  /** The URLs as given, once each passes the scheme rule; SERVICE_UNAVAILABLE otherwise. */
  private usable<T extends Record<string, string>>(provider: string, urls: T): T {
    for (const [field, value] of Object.entries(urls)) {
      if (!value) {
        throw new ServiceUnavailableError("The OAuth provider's discovery document is incomplete");
      }
      const problem = endpointSchemeProblem(value, this.allowLoopbackHttp);
      if (problem) {
        this.logger.warn({ provider, field, problem }, 'OAuth provider endpoint refused');
        throw new ServiceUnavailableError(
          `This OAuth provider cannot be used: its ${field} ${problem}`,
        );
      }
    }
    return urls;
  }

  /** A GET or POST to the provider, parsed as JSON; any failure is the provider's, coded. */
  async getJson(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Record<string, unknown>> {
    let status: number;
    let body: Buffer;
    try {
      ({ status, body } = await safeFetch(
        url,
        { ...init, headers: { accept: 'application/json', ...init.headers } },
        this.outbound,
      ));
    } catch (error) {
      const reason = error instanceof OutboundRequestError ? error.reason : 'unknown';
      this.logger.warn({ reason, host: safeHost(url) }, 'OAuth provider call failed');
      throw new ServiceUnavailableError('The OAuth provider could not be reached');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300 || typeof parsed !== 'object' || parsed === null) {
      this.logger.warn({ status, host: safeHost(url) }, 'OAuth provider answered with an error');
      throw new ProviderRefusedError(status);
    }
    return parsed as Record<string, unknown>;
  }
}

/** The provider answered, but not with success (e.g. an invalid or reused code). */
export class ProviderRefusedError extends Error {
  constructor(readonly status: number) {
    super(`OAuth provider answered ${status}`);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

/** A discovery document's URL field; anything but a string counts as missing. */
function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
