import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { boolean, integer, list, url } from '../../platform/config/fields';
import { type ConfigRule } from '../../platform/config/load';
import type { SubgraphConfig } from '../../platform/subgraph/subgraph-service';
import { repoRoot } from '../../platform/paths';

const MIB = 1024 * 1024;
/** `size_bytes` is a PostgreSQL integer and `sizeBytes` a GraphQL Int: both stop at 2^31 - 1. */
export const MAX_ASSET_BYTES = 2 ** 31 - 1;

/** `type/subtype`, `type/*` or `*\/*`, as in an Accept header (no parameters). */
const CONTENT_TYPE_PATTERN = /^(\*\/\*|[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+))$/;

/** Where blobs live: what the assets process and the journal restore script both read. */
export const blobStoreConfigShape = {
  ASSETS_STORAGE: z
    .enum(['local', 's3'])
    .default('local')
    .describe('Where blobs live: `local` (a directory) or `s3` (any S3-compatible object store).'),
  ASSETS_STORAGE_PATH: z
    .string()
    .refine(isAbsolute, 'must be an absolute path')
    .default(() => join(repoRoot(), '.tessera', 'assets'))
    .describe("The local store's root; nothing outside it is ever read or written."),
  ASSETS_S3_ENDPOINT: url(['http', 'https'])
    .optional()
    .describe('The S3-compatible endpoint, e.g. `https://s3.eu-west-1.amazonaws.com`.'),
  ASSETS_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'must be a region name such as us-east-1')
    .default('us-east-1')
    .describe('The region requests are signed for.'),
  ASSETS_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional()
    .describe('The bucket (objects are `<tenant>/<asset>`).'),
  ASSETS_S3_ACCESS_KEY_ID: z.string().max(128).optional().describe('Credentials for Signature V4.'),
  ASSETS_S3_SECRET_ACCESS_KEY: z
    .string()
    .max(256)
    .optional()
    .describe('Credentials for Signature V4.'),
  ASSETS_S3_PATH_STYLE: boolean(true).describe(
    '`https://endpoint/bucket/key` (true: MinIO, most self-hosted stores) or `bucket.endpoint`.',
  ),
};

/** The assets subgraph's own variables, validated together with the common ones. */
export const assetsConfigShape = {
  ...blobStoreConfigShape,
  ASSETS_MAX_BYTES: integer(100 * MIB, 1, MAX_ASSET_BYTES).describe(
    'The largest single asset (declared and actually uploaded).',
  ),
  ASSETS_TENANT_QUOTA_BYTES: integer(10 * 1024 * MIB, 1, Number.MAX_SAFE_INTEGER).describe(
    "All of a tenant's assets together, pending uploads and soft-deleted ones included.",
  ),
  ASSETS_CONTENT_TYPES: list(
    z.string().toLowerCase().regex(CONTENT_TYPE_PATTERN, 'each entry must be type/subtype'),
    '*/*',
  ).describe(
    'Content types an upload may declare: exact, `image/*` or `*\\/*` (anything well-formed).',
  ),
  ASSETS_PUBLIC_URL: url(['http', 'https'])
    .optional()
    .describe(
      "The origin clients reach this process's `/blobs/` on (signed upload and download URLs); by default the process's own address, which only suits a local run.",
    ),
  ASSETS_URL_SECRETS: list(
    z.string().min(32, 'each secret must be at least 32 characters'),
    '',
  ).describe(
    'Keys of the signed blob URLs, comma-separated, each >= 32 characters; the first signs, all verify. By default derived from ASSETS_SIGNING_KEY (HKDF, a key of its own), which changes with it: URLs handed out before a rotation of that key stop working.',
  ),
  ASSETS_UPLOAD_URL_TTL_SECONDS: integer(900, 10, 24 * 3600).describe(
    'How long an upload URL works (10-86400).',
  ),
  ASSETS_DOWNLOAD_URL_TTL_SECONDS: integer(300, 10, 24 * 3600).describe(
    'How long a download URL works, rounded up to the minute (10-86400).',
  ),
};

export type AssetsConfig = SubgraphConfig & z.infer<z.ZodObject<typeof assetsConfigShape>>;

type Checked = z.infer<z.ZodObject<typeof assetsConfigShape>> & { NODE_ENV: string };

/** The S3 store needs its endpoint, bucket and keys. */
export const requireS3Settings: ConfigRule<z.infer<z.ZodObject<typeof blobStoreConfigShape>>> = (
  config,
) =>
  config.ASSETS_STORAGE !== 's3'
    ? []
    : (
        [
          'ASSETS_S3_ENDPOINT',
          'ASSETS_S3_BUCKET',
          'ASSETS_S3_ACCESS_KEY_ID',
          'ASSETS_S3_SECRET_ACCESS_KEY',
        ] as const
      )
        .filter((variable) => !config[variable])
        .map((variable) => ({ variable, message: 'is required when ASSETS_STORAGE=s3' }));

/** In production the process's bind address (0.0.0.0) is no URL a client can use. */
const requirePublicUrlInProduction: ConfigRule<Checked> = (config) =>
  config.NODE_ENV === 'production' && !config.ASSETS_PUBLIC_URL
    ? [{ variable: 'ASSETS_PUBLIC_URL', message: 'is required when NODE_ENV=production' }]
    : [];

export const assetsConfigRules = [requireS3Settings, requirePublicUrlInProduction];
