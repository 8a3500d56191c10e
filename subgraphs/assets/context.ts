import type { RequestContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import { createLoaders } from './loaders';
import { AssetEditService } from './services/asset-edit.service';
import { AssetUploadService } from './services/asset-upload.service';
import { AssetService } from './services/asset.service';
import type { AssetsServices } from './services/assets-services';

export interface AssetsContext {
  request: RequestContext;
  assets: AssetService;
  uploads: AssetUploadService;
  edits: AssetEditService;
}

export function createAssetsContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: AssetsServices,
): AssetsContext {
  const scope = tenantScope(runtime.dataSource, request);
  return {
    request,
    assets: new AssetService(scope, createLoaders(scope), services.urls),
    uploads: new AssetUploadService(scope, request, services),
    edits: new AssetEditService(scope, request),
  };
}
