import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '../paths';
import { generateTestServiceKeys } from '../../testing/service-keys';

// The built processes themselves: a bad or unsafe configuration stops them before they listen,
// with one line per problem (the rules are unit-tested in config.test.ts).
describe('configuration at process start', () => {
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

  it.each([
    ['gateway', 'dist/gateway/main.js', { GATEWAY_METRICS_PORT: '9464' }],
    ['tenancy', 'dist/subgraphs/tenancy/main.js', { MAIL_TRANSPORT: 'outbox' }],
    ['worker', 'dist/subgraphs/jobs/worker/main.js', { MAIL_TRANSPORT: 'outbox' }],
  ] as const)(
    'refuses to start the %s process in production with its development key: one line naming the variable',
    (name, entry, extra) => {
      const keys = generateTestServiceKeys().env;
      const variable = `${name.toUpperCase()}_SIGNING_KEY`;
      const result = spawnSync(process.execPath, [join(repoRoot(), entry)], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          ...keys,
          [variable]: '',
          ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
          ...extra,
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        `config error: ${variable}: must be set to a key of your own when NODE_ENV=production (npm run env:generate writes fresh keys to .env)`,
      ]);
      expect(result.stdout).toBe('');
    },
  );
});
