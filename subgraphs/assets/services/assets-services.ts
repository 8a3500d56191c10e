import type { BlobStore } from '../storage/blob-store';
import type { ApiKeyOwners } from './api-key-owners';
import type { BlobUrls } from './blob-urls';

export interface UploadLimits {
  /** Largest single asset, in bytes. */
  maxBytes: number;
  /** All of one tenant's assets together, in bytes. */
  quotaBytes: number;
  /** Content-type patterns an upload may declare (`*\/*`, `image/*`, `text/csv`). */
  contentTypes: readonly string[];
}

/** What the assets process builds once (see setup.ts) and every request's services share. */
export interface AssetsServices {
  store: BlobStore;
  urls: BlobUrls;
  limits: UploadLimits;
  apiKeyOwners: ApiKeyOwners;
}
