import type { RequestContext } from '../../platform/context';
import type { SubgraphRuntime } from '../../platform/graphql';
import { createLoaders } from './loaders';
import { UserService } from './services/user.service';

export interface AuthContext {
  request: RequestContext;
  users: UserService;
}

export function createAuthContext(request: RequestContext, runtime: SubgraphRuntime): AuthContext {
  const loaders = createLoaders(runtime.dataSource);
  return { request, users: new UserService(request, loaders) };
}
