import type { RequestContext } from '../../platform/context';
import { tenantScope } from '../../platform/db';
import type { SubgraphRuntime } from '../../platform/graphql';
import { createLoaders } from './loaders';
import { AssetService } from './services/asset.service';

export interface AssetsContext {
  request: RequestContext;
  assets: AssetService;
}

export function createAssetsContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
): AssetsContext {
  const scope = tenantScope(runtime.dataSource, request);
  return { request, assets: new AssetService(scope, createLoaders(scope)) };
}
