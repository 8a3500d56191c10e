import { z } from 'zod';

/**
 * The tenancy process's internal OAuth provider lookup, which the auth service calls during
 * an OAuth sign-in: `POST OAUTH_PROVIDER_LOOKUP_PATH` with a signed service context and
 * `{ tenantId, provider }`, answered with {@link OAuthProviderLookupAnswer}, client secret
 * decrypted. Both sides use these definitions so the wire format cannot drift.
 */
export const OAUTH_PROVIDER_LOOKUP_PATH = '/internal/oauth-providers/resolve';

/** Largest body the route reads: a UUID and a 32-character name fit many times over. */
export const OAUTH_PROVIDER_LOOKUP_BODY_LIMIT_BYTES = 4 * 1024;

/**
 * A provider's name within its tenant (`google`, `okta-eu`, `azure_ad`): the same pattern as
 * the CHECK on tenancy.oauth_providers.provider.
 */
export const OAUTH_PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const oauthProviderLookupRequestSchema = z.object({
  tenantId: z.uuid(),
  provider: z.string().regex(OAUTH_PROVIDER_NAME_PATTERN),
});
export type OAuthProviderLookupRequest = z.infer<typeof oauthProviderLookupRequestSchema>;

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

/** `provider` is null when the tenant has no provider of that name (or no such tenant). */
export const oauthProviderLookupAnswerSchema = z.object({
  provider: resolvedOAuthProviderSchema.nullable(),
});
export type OAuthProviderLookupAnswer = z.infer<typeof oauthProviderLookupAnswerSchema>;
