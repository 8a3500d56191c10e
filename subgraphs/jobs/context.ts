import type { RequestContext } from '../../platform/context';
import { tenantScope } from '../../platform/db';
import type { SubgraphRuntime } from '../../platform/graphql';
import { createLoaders } from './loaders';
import { WebhookEndpointService } from './services/webhook-endpoint.service';

export interface JobsContext {
  request: RequestContext;
  webhookEndpoints: WebhookEndpointService;
}

export function createJobsContext(request: RequestContext, runtime: SubgraphRuntime): JobsContext {
  const scope = tenantScope(runtime.dataSource, request);
  return { request, webhookEndpoints: new WebhookEndpointService(scope, createLoaders(scope)) };
}
