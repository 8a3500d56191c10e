import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { configProblems } from '../testing/config-problems';
import { DEVELOPMENT_CONTEXT_SECRET } from '../config/service';
import { subgraphConfigShape } from '../graphql/subgraph-service';
import { gatewayConfigShape } from '../../gateway/config';
import { refuseDevelopmentSecretInProduction, requireRedisNodesOutsideStandalone } from '../config';
import { repoRoot } from '../paths';
import { migrationConfigShape, serviceDatabaseUrls } from '../../scripts/migrate';

const rules = [refuseDevelopmentSecretInProduction, requireRedisNodesOutsideStandalone];

const problems = (env: Record<string, string>) =>
  configProblems(subgraphConfigShape('auth', 4001), env, rules);

describe('configuration', () => {
  it('runs locally with no variables set', () => {
    const config = parseConfig(subgraphConfigShape('auth', 4001), {}, rules);
    expect(config.PORT).toBe(4001);
    expect(config.DATABASE_URL).toBe('postgres://tessera_auth@127.0.0.1:5432/tessera');
    expect(config.CONTEXT_SIGNING_SECRETS).toEqual([DEVELOPMENT_CONTEXT_SECRET]);
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

  it('never echoes a secret or a password in its errors', () => {
    const lines = problems({
      CONTEXT_SIGNING_SECRETS: 'short-secret',
      REDIS_URL: 'http://user:hunter2@redis:6379',
    });
    expect(lines.join('\n')).not.toMatch(/short-secret|hunter2/);
    expect(lines.some((line) => line.startsWith('config error: CONTEXT_SIGNING_SECRETS: '))).toBe(
      true,
    );
    expect(lines.some((line) => line.startsWith('config error: REDIS_URL: '))).toBe(true);
  });

  it('refuses the development signing secret in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'config error: CONTEXT_SIGNING_SECRETS: the development secret is refused when NODE_ENV=production',
    ]);
    expect(problems({ NODE_ENV: 'production', CONTEXT_SIGNING_SECRETS: 'x'.repeat(40) })).toEqual(
      [],
    );
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

  it('accepts several signing secrets for rotation', () => {
    const config = parseConfig(gatewayConfigShape, {
      CONTEXT_SIGNING_SECRETS: `${'a'.repeat(32)}, ${'b'.repeat(32)}`,
    });
    expect(config.CONTEXT_SIGNING_SECRETS).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
  });

  it.each([
    ['gateway', 'dist/gateway/main.js'],
    ['assets', 'dist/subgraphs/assets/main.js'],
    ['worker', 'dist/subgraphs/jobs/worker/main.js'],
  ])('stops the %s process with exit 1 and one line per bad variable', (_name, entry) => {
    const result = spawnSync(process.execPath, [join(repoRoot(), entry)], {
      env: { PATH: process.env.PATH, PORT: '99999', LOG_LEVEL: 'chatty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^config error: LOG_LEVEL: /),
      expect.stringMatching(/^config error: PORT: must be 0\.\.65535/),
    ]);
    expect(result.stdout).toBe('');
  });
});
