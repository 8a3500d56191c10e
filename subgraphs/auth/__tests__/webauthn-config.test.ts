import { parseConfig } from '../../../platform/config/load';
import { subgraphConfigSchema } from '../../../platform/subgraph/subgraph-service';
import { configProblems } from '../../../testing/config-problems';
import { authSubgraph } from '../subgraph';

// The auth process's whole schema (common variables too), as it is checked at start.
const { shape, rules } = subgraphConfigSchema(authSubgraph);
const problems = (env: Record<string, string>) => configProblems(shape, env, rules);

describe('WebAuthn configuration', () => {
  it('works locally with no variables set', () => {
    const config = parseConfig(shape, {}, rules);
    expect(config).toMatchObject({
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_RP_NAME: 'Tessera',
      WEBAUTHN_ORIGINS: ['http://localhost:3000'],
      WEBAUTHN_CHALLENGE_TTL_SECONDS: 300,
    });
  });

  it('accepts several https origins on the RP ID and its subdomains', () => {
    const config = parseConfig(
      shape,
      {
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com:8443',
      },
      rules,
    );
    expect(config).toMatchObject({
      WEBAUTHN_ORIGINS: ['https://example.com', 'https://app.example.com:8443'],
    });
  });

  it.each([
    ['WEBAUTHN_RP_ID', { WEBAUTHN_RP_ID: 'https://example.com' }],
    ['WEBAUTHN_RP_ID', { WEBAUTHN_RP_ID: 'Example.com' }],
    ['WEBAUTHN_RP_ID', { WEBAUTHN_RP_ID: 'example.com:443' }],
    ['WEBAUTHN_RP_ID', { WEBAUTHN_RP_ID: '127.0.0.1' }],
    ['WEBAUTHN_RP_NAME', { WEBAUTHN_RP_NAME: 'x'.repeat(65) }],
    ['WEBAUTHN_ORIGINS', { WEBAUTHN_ORIGINS: 'http://localhost:3000/' }],
    ['WEBAUTHN_ORIGINS', { WEBAUTHN_ORIGINS: 'http://localhost:3000/login' }],
    ['WEBAUTHN_ORIGINS', { WEBAUTHN_ORIGINS: 'localhost:3000' }],
    ['WEBAUTHN_ORIGINS', { WEBAUTHN_ORIGINS: 'ftp://localhost' }],
    ['WEBAUTHN_ORIGINS', { WEBAUTHN_ORIGINS: ',' }],
    ['WEBAUTHN_CHALLENGE_TTL_SECONDS', { WEBAUTHN_CHALLENGE_TTL_SECONDS: '5' }],
    ['WEBAUTHN_CHALLENGE_TTL_SECONDS', { WEBAUTHN_CHALLENGE_TTL_SECONDS: 'soon' }],
  ])('refuses a bad %s', (variable, env) => {
    const lines = problems(env);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`config error: ${variable}:`);
  });

  it('refuses origins off the RP ID, and plain http beyond localhost', () => {
    const lines = problems({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://example.org,https://notexample.com,http://app.example.com',
    });
    expect(lines).toEqual([
      expect.stringContaining('https://example.org is not on WEBAUTHN_RP_ID'),
      expect.stringContaining('https://notexample.com is not on WEBAUTHN_RP_ID'),
      expect.stringContaining('http://app.example.com must use https'),
    ]);
    for (const line of lines) expect(line).toMatch(/^config error: WEBAUTHN_ORIGINS: /);
  });
});
