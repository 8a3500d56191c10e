import { randomBytes } from 'node:crypto';
import {
  ownSigningKey,
  serviceSigning,
  refuseDevelopmentKeysInProduction,
} from '../config/service-keys';
import { parseConfig } from '../config/load';
import { requireRedisNodesOutsideStandalone } from '../config/service';
import { anonymousContext } from '../context/request-context';
import {
  DEVELOPMENT_KEY_ID,
  developmentPublicKeys,
  generateServiceKey,
  SERVICE_NAMES,
  type ServiceName,
} from '../context/service-keys';
import { configProblems } from '../../testing/config-problems';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { subgraphConfigShape } from '../subgraph/subgraph-service';
import { gatewayConfigShape } from '../../gateway/config';
import { migrationConfigShape, serviceDatabaseUrls } from '../../scripts/migrate';

const rules = [refuseDevelopmentKeysInProduction('auth'), requireRedisNodesOutsideStandalone];

/** The development public key entry of `service`, as a local run lists it. */
const generateDevelopmentEntry = (service: ServiceName) =>
  developmentPublicKeys()
    .split(',')
    .find((entry) => entry.startsWith(`${service}:`))!;

const problems = (env: Record<string, string>) =>
  configProblems(subgraphConfigShape('auth', 4001), env, rules);

describe('configuration', () => {
  it('runs locally with no variables set', () => {
    const config = parseConfig(subgraphConfigShape('auth', 4001), {}, rules);
    expect(config.PORT).toBe(4001);
    expect(config.DATABASE_URL).toBe('postgres://tessera_auth@127.0.0.1:5432/tessera');
    // Every process derives its development key, and knows every development public key.
    expect(ownSigningKey(config, 'auth')).toMatchObject({
      service: 'auth',
      kid: DEVELOPMENT_KEY_ID,
    });
    expect(config.SERVICE_PUBLIC_KEYS.map((key) => key.service)).toEqual([...SERVICE_NAMES]);
    // So processes started with no setup (npm start) accept each other's requests.
    const auth = serviceSigning(config, 'auth');
    const tenancy = serviceSigning(
      parseConfig(subgraphConfigShape('tenancy', 4002), {}),
      'tenancy',
    );
    const target = {
      audience: 'tenancy',
      method: 'POST',
      path: '/internal/x',
      body: '{}',
    } as const;
    const headers = auth.signer.sign(target, anonymousContext('local'));
    expect(tenancy.verifier.verify(headers, target, ['auth']).caller).toBe('auth');
    expect(config.DATABASE_LOG_QUERIES).toBe(false);
  });

  it('lists every bad variable at once, one line each, naming it', () => {
    const lines = problems({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/tessera',
      DATABASE_POOL_MAX: '0',
      LOG_LEVEL: 'loud',
      DATABASE_LOG_QUERIES: 'maybe',
    });
    expect(lines).toHaveLength(5);
    for (const variable of [
      'PORT',
      'DATABASE_URL',
      'DATABASE_POOL_MAX',
      'LOG_LEVEL',
      'DATABASE_LOG_QUERIES',
    ]) {
      expect(lines.filter((line) => line.startsWith(`config error: ${variable}: `))).toHaveLength(
        1,
      );
    }
  });

  it('never echoes a key, a secret or a password in its errors', () => {
    const lines = problems({
      AUTH_SIGNING_KEY: 'k1:short-secret',
      SERVICE_PUBLIC_KEYS: 'gateway:k1:not-base64!',
      REDIS_URL: 'http://user:hunter2@redis:6379',
    });
    expect(lines.join('\n')).not.toMatch(/short-secret|not-base64|hunter2/);
    for (const variable of ['AUTH_SIGNING_KEY', 'SERVICE_PUBLIC_KEYS', 'REDIS_URL']) {
      expect(lines.filter((line) => line.startsWith(`config error: ${variable}: `))).toHaveLength(
        1,
      );
    }
  });

  it('refuses the development keys in production, one line per variable', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'config error: AUTH_SIGNING_KEY: must be set to a key of your own when NODE_ENV=production (npm run env:generate writes fresh keys to .env)',
      'config error: SERVICE_PUBLIC_KEYS: must list your own keys when NODE_ENV=production, not the development keys of gateway, auth, tenancy, assets, jobs, observability, worker (npm run env:generate writes fresh keys to .env)',
    ]);
    const keys = generateTestServiceKeys().env;
    expect(problems({ NODE_ENV: 'production', ...keys })).toEqual([]);
    // A development key kept in the list for one service is refused too.
    const development = parseConfig(subgraphConfigShape('auth', 4001), {}).SERVICE_PUBLIC_KEYS;
    expect(development).toHaveLength(SERVICE_NAMES.length);
    expect(
      problems({
        NODE_ENV: 'production',
        ...keys,
        SERVICE_PUBLIC_KEYS: `${keys.SERVICE_PUBLIC_KEYS},${generateDevelopmentEntry('worker')}`,
      }),
    ).toEqual([expect.stringMatching(/^config error: SERVICE_PUBLIC_KEYS: .* of worker \(/)]);
  });

  it.each([
    ['a key without its id', () => randomBytes(32).toString('base64')],
    ['a key of 16 bytes', () => `k1:${randomBytes(16).toString('base64')}`],
    ['a key id in capitals', () => `K1:${randomBytes(32).toString('base64')}`],
  ])('refuses %s as a signing key', (_case, value) => {
    expect(problems({ AUTH_SIGNING_KEY: value() })).toEqual([
      expect.stringMatching(/^config error: AUTH_SIGNING_KEY: must be kid:base64 of a 32-byte/),
    ]);
  });

  it.each([
    ['an unknown service', 'billing:k1:'],
    ['a missing key id', 'gateway::'],
    ['a key of 31 bytes', `gateway:k1:${randomBytes(31).toString('base64')}`],
  ])('refuses %s in SERVICE_PUBLIC_KEYS, by its position', (_case, entry) => {
    const valid = generateServiceKey('worker', 'w1').publicKey;
    const value = entry.endsWith(':') ? `${entry}${randomBytes(32).toString('base64')}` : entry;
    expect(problems({ SERVICE_PUBLIC_KEYS: `${valid},${value}` })).toEqual([
      expect.stringMatching(
        /^config error: SERVICE_PUBLIC_KEYS: entry 2 must be service:kid:base64/,
      ),
    ]);
  });

  it('needs REDIS_NODES for Sentinel and Cluster', () => {
    expect(problems({ REDIS_MODE: 'cluster' })).toEqual([
      'config error: REDIS_NODES: is required when REDIS_MODE=cluster',
    ]);
    expect(problems({ REDIS_MODE: 'sentinel', REDIS_NODES: 'a:26379,b:26379' })).toEqual([]);
    expect(problems({ REDIS_MODE: 'cluster', REDIS_NODES: 'a:7000,b' })[0]).toMatch(
      /^config error: REDIS_NODES: /,
    );
  });

  it("connects each process as its own database role, and refuses another role's URL", () => {
    expect(parseConfig(subgraphConfigShape('assets', 4003), {}, rules).DATABASE_URL).toBe(
      'postgres://tessera_assets@127.0.0.1:5432/tessera',
    );
    expect(problems({ DATABASE_URL: 'postgres://tessera_auth:pw@db:5432/tessera' })).toEqual([]);
    for (const other of ['postgres', 'tessera_app', 'tessera_assets']) {
      expect(problems({ DATABASE_URL: `postgres://${other}:hunter2@db:5432/tessera` })).toEqual([
        `config error: DATABASE_URL: must connect as tessera_auth, the auth process's own role (got "postgres://${other}:[redacted]@db:5432/tessera")`,
      ]);
    }
  });

  it("derives each process's URL for migrate and the launcher from MIGRATION_DATABASE_URL unless set", () => {
    const config = parseConfig(migrationConfigShape, {
      MIGRATION_DATABASE_URL: 'postgres://postgres:secret@db:6543/elsewhere',
      WORKER_DATABASE_URL: 'postgres://tessera_worker:w0rker@db:6543/elsewhere',
    });
    expect(serviceDatabaseUrls(config)).toEqual({
      auth: 'postgres://tessera_auth@db:6543/elsewhere',
      tenancy: 'postgres://tessera_tenancy@db:6543/elsewhere',
      assets: 'postgres://tessera_assets@db:6543/elsewhere',
      jobs: 'postgres://tessera_jobs@db:6543/elsewhere',
      observability: 'postgres://tessera_observability@db:6543/elsewhere',
      worker: 'postgres://tessera_worker:w0rker@db:6543/elsewhere',
    });
    expect(() =>
      parseConfig(migrationConfigShape, { AUTH_DATABASE_URL: 'postgres://tessera_jobs@db/x' }),
    ).toThrow('config error: AUTH_DATABASE_URL: must connect as tessera_auth');
  });

  it('accepts several public keys per service while one rotates, and no key id twice', () => {
    const [old, rotated] = [
      generateServiceKey('gateway', 'g1'),
      generateServiceKey('gateway', 'g2'),
    ];
    const config = parseConfig(gatewayConfigShape, {
      SERVICE_PUBLIC_KEYS: `${old.publicKey}, ${rotated.publicKey}`,
    });
    expect(config.SERVICE_PUBLIC_KEYS.map(({ service, kid }) => `${service}:${kid}`)).toEqual([
      'gateway:g1',
      'gateway:g2',
    ]);
    expect(() =>
      parseConfig(gatewayConfigShape, { SERVICE_PUBLIC_KEYS: `${old.publicKey},${old.publicKey}` }),
    ).toThrow('config error: SERVICE_PUBLIC_KEYS: entry 2: gateway:g1 appears twice');
  });
});
