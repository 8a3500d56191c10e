import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * A provider's name within its tenant (`google`, `okta-eu`, `azure_ad`): the same pattern as
 * the CHECK on tenancy.oauth_providers.provider.
 */
export const OAUTH_PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * A tenant's provider as the OAuth flow needs it. Either `issuer` is set (discover the
 * endpoints from `<issuer>/.well-known/openid-configuration`) or all three endpoint URLs are;
 * endpoints given next to an issuer take precedence over discovered ones. A disabled provider
 * is still answered: refusing sign-ins through it is the caller's call.
 */
export const resolvedOAuthProviderSchema = z.object({
  provider: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  issuer: z.string().nullable(),
  authorizationUrl: z.string().nullable(),
  tokenUrl: z.string().nullable(),
  userInfoUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  enabled: z.boolean(),
});
export type ResolvedOAuthProvider = z.infer<typeof resolvedOAuthProviderSchema>;

/**
 * The auth service asks tenancy (which keeps client secrets encrypted) for a tenant's OAuth
 * provider during an OAuth sign-in, client secret decrypted. `provider` is null when the
 * tenant has no provider of that name (or there is no such tenant). Only auth may ask: the
 * answer carries a secret.
 */
export const oauthProviderLookupCall = defineInternalCall({
  name: 'the OAuth provider lookup',
  path: '/internal/oauth-providers/resolve',
  servedBy: ['tenancy'],
  callers: ['auth'],
  mutating: false,
  request: z.object({
    tenantId: z.uuid(),
    provider: z.string().regex(OAUTH_PROVIDER_NAME_PATTERN),
  }),
  answer: z.object({ provider: resolvedOAuthProviderSchema.nullable() }),
  timeoutMs: 2_000,
  bodyLimitBytes: 4 * 1024,
});
export type OAuthProviderLookupAnswer = z.infer<typeof oauthProviderLookupCall.answer>;
