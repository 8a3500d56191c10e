import type { AssetsConfig } from '../config';
import type { BlobStore } from './blob-store';
import { LocalDiskBlobStore } from './local-disk-store';
import { S3BlobStore } from './s3-store';

/** The settings a store is built from (the assets process's, or the journal restore's). */
export type BlobStoreSettings = Pick<
  AssetsConfig,
  | 'ASSETS_STORAGE'
  | 'ASSETS_STORAGE_PATH'
  | 'ASSETS_S3_ENDPOINT'
  | 'ASSETS_S3_REGION'
  | 'ASSETS_S3_BUCKET'
  | 'ASSETS_S3_ACCESS_KEY_ID'
  | 'ASSETS_S3_SECRET_ACCESS_KEY'
  | 'ASSETS_S3_PATH_STYLE'
>;

/** The store ASSETS_STORAGE names (the config rules guarantee the S3 settings are there). */
export async function createBlobStore(config: BlobStoreSettings): Promise<BlobStore> {
  if (config.ASSETS_STORAGE === 'local') return LocalDiskBlobStore.open(config.ASSETS_STORAGE_PATH);
  return new S3BlobStore({
    endpoint: config.ASSETS_S3_ENDPOINT!,
    bucket: config.ASSETS_S3_BUCKET!,
    region: config.ASSETS_S3_REGION,
    accessKeyId: config.ASSETS_S3_ACCESS_KEY_ID!,
    secretAccessKey: config.ASSETS_S3_SECRET_ACCESS_KEY!,
    pathStyle: config.ASSETS_S3_PATH_STYLE,
  });
}
