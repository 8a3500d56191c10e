import { parseConfig } from '../../../platform/config/load';
import { configProblems } from '../../../testing/config-problems';
import { generateTestServiceKeys } from '../../../testing/service-keys';
import { subgraphConfigSchema } from '../../../platform/subgraph/subgraph-service';
import { assetsSubgraph } from '../subgraph';

const { shape, rules } = subgraphConfigSchema(assetsSubgraph);

const problems = (env: Record<string, string>) => configProblems(shape, env, rules);

describe('assets configuration', () => {
  it('runs locally on the local-disk store with no variables set', () => {
    const config = parseConfig(shape, {}, rules) as Record<string, unknown>;
    expect(config).toMatchObject({
      ASSETS_STORAGE: 'local',
      ASSETS_MAX_BYTES: 100 * 1024 * 1024,
      ASSETS_CONTENT_TYPES: ['*/*'],
      ASSETS_URL_SECRETS: [],
    });
    expect(String(config.ASSETS_STORAGE_PATH)).toMatch(/\/\.tessera\/assets$/);
  });

  it('names every missing S3 setting when ASSETS_STORAGE=s3', () => {
    expect(problems({ ASSETS_STORAGE: 's3', ASSETS_S3_BUCKET: 'files' })).toEqual([
      'config error: ASSETS_S3_ENDPOINT: is required when ASSETS_STORAGE=s3',
      'config error: ASSETS_S3_ACCESS_KEY_ID: is required when ASSETS_STORAGE=s3',
      'config error: ASSETS_S3_SECRET_ACCESS_KEY: is required when ASSETS_STORAGE=s3',
    ]);
  });

  it('refuses a relative storage path, a size past 2^31 - 1 and a malformed content type', () => {
    const lines = problems({
      ASSETS_STORAGE_PATH: 'var/assets',
      ASSETS_MAX_BYTES: String(2 ** 31),
      ASSETS_CONTENT_TYPES: 'image/*,html',
      ASSETS_URL_SECRETS: 'short',
    });
    expect(lines.map((line) => line.split(':')[1]!.trim())).toEqual([
      'ASSETS_STORAGE_PATH',
      'ASSETS_MAX_BYTES',
      'ASSETS_CONTENT_TYPES',
      'ASSETS_URL_SECRETS',
    ]);
    expect(lines.find((line) => line.includes('ASSETS_URL_SECRETS'))).toContain('[redacted]');
  });

  it('needs ASSETS_PUBLIC_URL in production', () => {
    expect(
      problems({
        NODE_ENV: 'production',
        ...generateTestServiceKeys().env,
      }),
    ).toEqual(['config error: ASSETS_PUBLIC_URL: is required when NODE_ENV=production']);
  });
});
