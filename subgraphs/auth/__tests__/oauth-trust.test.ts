import { parseConfig } from '../../../platform/config/load';
import { subgraphConfigSchema } from '../../../platform/subgraph/subgraph-service';
import { configProblems } from '../../../testing/config-problems';
import { authSubgraph } from '../subgraph';
import type { ResolvedOAuthProvider } from '../../../platform/contracts/tenancy/oauth-provider-lookup';
import { vouchesForEmail } from '../oauth/oauth-trust.policy';

// OAUTH_TRUSTED_ISSUERS as the auth process checks it at start, and which tenant providers it
// lets vouch for an email.

const { shape, rules } = subgraphConfigSchema(authSubgraph);
const problems = (env: Record<string, string>) => configProblems(shape, env, rules);

describe('OAUTH_TRUSTED_ISSUERS', () => {
  it('trusts no issuer unless told to', () => {
    expect(parseConfig(shape, {}, rules)).toMatchObject({ OAUTH_TRUSTED_ISSUERS: [] });
  });

  it('takes https issuers, and loopback http outside production', () => {
    const config = parseConfig(
      shape,
      { OAUTH_TRUSTED_ISSUERS: 'https://accounts.google.com, http://127.0.0.1:9000' },
      rules,
    );
    expect(config).toMatchObject({
      OAUTH_TRUSTED_ISSUERS: ['https://accounts.google.com', 'http://127.0.0.1:9000'],
    });
  });

  it.each([
    ['an http issuer off loopback', 'http://accounts.example.com'],
    ['a bare host name', 'accounts.google.com'],
    ['an issuer with a query', 'https://idp.example.com/?tenant=1'],
    ['an issuer with credentials', 'https://user:pass@idp.example.com'],
    ['a javascript: URL', 'javascript:alert(1)'],
  ])('refuses %s with one line naming the variable', (_case, value) => {
    expect(problems({ OAUTH_TRUSTED_ISSUERS: value })).toEqual([
      expect.stringMatching(/^config error: OAUTH_TRUSTED_ISSUERS: each entry must be an https/),
    ]);
  });

  it('refuses loopback http in production', () => {
    const lines = problems({
      NODE_ENV: 'production',
      OAUTH_TRUSTED_ISSUERS: 'https://accounts.google.com,http://localhost:9000',
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /OAUTH_TRUSTED_ISSUERS: http:\/\/localhost:9000 must use https when NODE_ENV=production/,
      ),
    );
  });
});

describe('vouchesForEmail', () => {
  const trusted = ['https://accounts.google.com/'];
  const provider = (fields: Partial<ResolvedOAuthProvider>): ResolvedOAuthProvider => ({
    provider: 'google',
    clientId: 'client',
    clientSecret: 'secret',
    issuer: null,
    authorizationUrl: null,
    tokenUrl: null,
    userInfoUrl: null,
    scopes: ['openid', 'email'],
    enabled: true,
    ...fields,
  });

  it('trusts a provider of a trusted issuer that uses the endpoints the issuer publishes', () => {
    expect(vouchesForEmail(provider({ issuer: 'https://accounts.google.com' }), trusted)).toBe(
      true,
    );
  });

  it.each([
    ['another issuer', { issuer: 'https://accounts.google.com.evil.example' }],
    ['a lookalike path', { issuer: 'https://accounts.google.com/evil' }],
    [
      'a trusted issuer with its own token URL',
      { issuer: 'https://accounts.google.com', tokenUrl: 'https://evil.example/token' },
    ],
    [
      'explicit endpoints only',
      {
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
      },
    ],
  ])('trusts nothing from %s', (_case, fields) => {
    expect(vouchesForEmail(provider(fields), trusted)).toBe(false);
  });
});
