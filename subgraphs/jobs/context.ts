import type { RequestContext } from '../../platform/context';
import { tenantScope } from '../../platform/db';
import type { SubgraphRuntime } from '../../platform/graphql';
import { createLoaders } from './loaders';
import { EventJournalService } from './services/event-journal.service';
import { SecretReencryptionService } from './services/secret-reencryption.service';
import { WebhookEndpointService } from './services/webhook-endpoint.service';

export interface JobsContext {
  request: RequestContext;
  webhookEndpoints: WebhookEndpointService;
  events: EventJournalService;
  secrets: SecretReencryptionService;
}

export function createJobsContext(request: RequestContext, runtime: SubgraphRuntime): JobsContext {
  const scope = tenantScope(runtime.dataSource, request);
  const loaders = createLoaders(scope);
  return {
    request,
    webhookEndpoints: new WebhookEndpointService(scope, loaders),
    events: new EventJournalService(scope, loaders),
    secrets: new SecretReencryptionService(request, runtime),
  };
}
