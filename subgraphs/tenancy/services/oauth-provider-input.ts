import { Redacted } from '../../../platform/crypto/redacted';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { OAUTH_PROVIDER_NAME_PATTERN } from '../../../platform/contracts/tenancy/oauth-provider-lookup';
import { endpointSchemeProblem } from '../../../platform/outbound/endpoint-scheme';

export const CLIENT_ID_MAX_LENGTH = 512;
export const CLIENT_SECRET_MAX_LENGTH = 1024;
export const URL_MAX_LENGTH = 2048;

/** `configureOAuthProvider`'s input as GraphQL hands it over. */
export interface OAuthProviderInput {
  provider: string;
  clientId: string;
  clientSecret: string;
  issuer?: string | null;
  authorizationUrl?: string | null;
  tokenUrl?: string | null;
  userInfoUrl?: string | null;
  enabled?: boolean | null;
}

/** The input once every rule holds; the secret can no longer be logged by accident. */
export interface ValidOAuthProviderInput {
  provider: string;
  clientId: string;
  clientSecret: Redacted<string>;
  issuer: string | null;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  userInfoUrl: string | null;
  enabled: boolean | null;
}

export interface UrlPolicy {
  /** Plain http endpoints on a loopback host, for a provider on a developer's machine; never in production. */
  allowLoopbackHttp: boolean;
}

const URL_FIELDS = ['issuer', 'authorizationUrl', 'tokenUrl', 'userInfoUrl'] as const;
const ENDPOINT_FIELDS = ['authorizationUrl', 'tokenUrl', 'userInfoUrl'] as const;

/** Checks `configureOAuthProvider`'s input; throws ValidationError naming the field. */
export function validOAuthProviderInput(
  input: OAuthProviderInput,
  policy: UrlPolicy,
): ValidOAuthProviderInput {
  const provider = validProviderName(input.provider);
  const clientId = validClientId(input.clientId);
  const clientSecret = validClientSecret(input.clientSecret);
  const urls = Object.fromEntries(
    URL_FIELDS.map((field) => [field, validUrl(input[field], field, policy)]),
  ) as Record<(typeof URL_FIELDS)[number], string | null>;
  if (urls.issuer === null) {
    const missing = ENDPOINT_FIELDS.filter((field) => urls[field] === null);
    if (missing.length > 0) {
      throw new ValidationError(
        `Give an issuer (its endpoints are discovered) or all of authorizationUrl, tokenUrl and userInfoUrl; missing: ${missing.join(', ')}`,
        { field: missing[0] },
      );
    }
  }
  return { provider, clientId, clientSecret, ...urls, enabled: input.enabled ?? null };
}

export function validProviderName(raw: string): string {
  const provider = raw.trim();
  if (!OAUTH_PROVIDER_NAME_PATTERN.test(provider)) {
    throw new ValidationError(
      'provider must be 1-32 lower-case letters, digits, hyphens and underscores, starting with a letter or digit',
      { field: 'provider' },
    );
  }
  return provider;
}

function validClientId(raw: string): string {
  const clientId = raw.trim();
  // Code points, as PostgreSQL's length() counts them.
  const length = [...clientId].length;
  if (length < 1 || length > CLIENT_ID_MAX_LENGTH) {
    throw new ValidationError(`clientId must be 1-${CLIENT_ID_MAX_LENGTH} characters`, {
      field: 'clientId',
    });
  }
  if (/\p{Cc}/u.test(clientId)) {
    throw new ValidationError('clientId must not contain control characters', {
      field: 'clientId',
    });
  }
  return clientId;
}

/** Taken as given (no trimming): it is sent to the provider byte for byte. Never echoed. */
function validClientSecret(raw: string): Redacted<string> {
  const length = [...raw].length;
  if (length < 1 || length > CLIENT_SECRET_MAX_LENGTH || raw.trim() === '') {
    throw new ValidationError(`clientSecret must be 1-${CLIENT_SECRET_MAX_LENGTH} characters`, {
      field: 'clientSecret',
    });
  }
  return new Redacted(raw);
}

/**
 * An absolute https URL (http only on a loopback host, where the policy allows it; the auth
 * service checks the same rule again when it uses the URL), at most URL_MAX_LENGTH
 * characters, without credentials or a fragment. Blank counts as not given. The URL is kept
 * as written, not normalized: an OIDC issuer must match the tokens' `iss` character for
 * character, and `new URL` would add a trailing slash.
 */
function validUrl(
  raw: string | null | undefined,
  field: (typeof URL_FIELDS)[number],
  policy: UrlPolicy,
): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  const refuse = (why: string) => new ValidationError(`${field} ${why}`, { field });
  if (value.length > URL_MAX_LENGTH) {
    throw refuse(`must be at most ${URL_MAX_LENGTH} characters`);
  }
  // The URL parser drops tabs and newlines silently; what is stored must be what was checked.
  if (/[\s\p{Cc}]/u.test(value)) throw refuse('must not contain spaces or control characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('must be an absolute URL');
  }
  const schemeProblem = endpointSchemeProblem(value, policy.allowLoopbackHttp);
  if (schemeProblem) throw refuse(schemeProblem);
  if (!/^https?:\/\//i.test(value)) throw refuse('must be an https URL');
  // `https://@host` parses to an empty user name; refuse any user-info part as written.
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?#\\]/)[0]!;
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    throw refuse('must not contain credentials');
  }
  if (url.hash !== '' || value.includes('#')) throw refuse('must not contain a fragment');
  if (field === 'issuer' && url.search !== '') throw refuse('must not contain a query');
  return value;
}
