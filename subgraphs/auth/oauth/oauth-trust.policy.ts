import { z } from 'zod';
import { list } from '../../../platform/config/fields';
import { type ConfigRule } from '../../../platform/config/load';
import { endpointSchemeProblem } from '../../../platform/outbound/endpoint-scheme';
import type { ResolvedOAuthProvider } from '../../../platform/contracts/tenancy/oauth-provider-lookup';

/**
 * An OIDC issuer as the operator writes it in OAUTH_TRUSTED_ISSUERS: https (http only on a
 * loopback host, outside production: see the rule below), with no credentials, query or
 * fragment.
 */
const issuer = z.string().refine((value) => {
  if (endpointSchemeProblem(value, true) !== null) return false;
  const url = new URL(value);
  return !url.username && !url.password && !url.search && !url.hash;
}, 'each entry must be an https issuer URL with no credentials, query or fragment');

export const trustedIssuers = () =>
  list(issuer, '').pipe(z.array(z.string()).max(20, 'must list at most 20 issuers'));

export const refuseHttpTrustedIssuersInProduction: ConfigRule<{
  NODE_ENV: string;
  OAUTH_TRUSTED_ISSUERS: string[];
}> = (config) =>
  config.NODE_ENV !== 'production'
    ? []
    : config.OAUTH_TRUSTED_ISSUERS.filter((value) => endpointSchemeProblem(value, false)).map(
        (value) => ({
          variable: 'OAUTH_TRUSTED_ISSUERS',
          message: `${value} must use https when NODE_ENV=production`,
        }),
      );

const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, '');

/**
 * Whether the platform operator lets this tenant's provider vouch for an email address: its
 * issuer is one of OAUTH_TRUSTED_ISSUERS and its endpoints are that issuer's own (found by
 * discovery). A provider that names a trusted issuer but brings its own endpoints is the
 * tenant's server, whatever it calls itself, so it vouches for nothing.
 */
export function vouchesForEmail(
  provider: ResolvedOAuthProvider,
  trusted: readonly string[],
): boolean {
  if (!provider.issuer || provider.authorizationUrl || provider.tokenUrl || provider.userInfoUrl) {
    return false;
  }
  const name = withoutTrailingSlash(provider.issuer);
  return trusted.some((entry) => withoutTrailingSlash(entry) === name);
}
