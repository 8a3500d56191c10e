import { CreateAssets1764028802000 } from './1764028802000-create-assets';
import { AddAssetCompletedAt1764028850000 } from './1764028850000-add-asset-completed-at';
import { IndexAssetSearch1764028851000 } from './1764028851000-index-asset-search';
import { IndexAssetFilters1764028852000 } from './1764028852000-index-asset-filters';
import { IndexAssetRetention1764028872000 } from './1764028872000-index-asset-retention';
import { AddStoredBytesByTenant1766008001000 } from './1766008001000-add-stored-bytes-by-tenant';

export const assetsMigrations = [
  CreateAssets1764028802000,
  AddAssetCompletedAt1764028850000,
  IndexAssetSearch1764028851000,
  IndexAssetFilters1764028852000,
  IndexAssetRetention1764028872000,
  AddStoredBytesByTenant1766008001000,
];
