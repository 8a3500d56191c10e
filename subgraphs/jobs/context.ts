import type { RequestContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import {
  createJobAdminContext,
  type JobAdminContext,
  type JobAdminServices,
} from './admin/job-admin.context';
import { createLoaders } from './loaders';
import { EventJournalService } from './services/event-journal.service';
import { SecretReencryptionService } from './services/secret-reencryption.service';
import { REENCRYPT_SECRETS_QUEUE } from '../../platform/contracts/jobs/reencrypt-secrets-job';
import { WebhookDeliveryService } from './services/webhook-delivery.service';
import { WebhookEndpointService } from './services/webhook-endpoint.service';
import type { WebhookServices } from './webhooks/webhook-services';

/** What the jobs process builds once (see setup.ts). */
export interface JobsServices {
  webhooks: WebhookServices;
  jobAdmin: JobAdminServices;
}

export interface JobsContext {
  request: RequestContext;
  webhookEndpoints: WebhookEndpointService;
  webhookDeliveries: WebhookDeliveryService;
  events: EventJournalService;
  secrets: SecretReencryptionService;
  jobAdmin: JobAdminContext;
}

export function createJobsContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: JobsServices,
): JobsContext {
  const scope = tenantScope(runtime.dataSource, request);
  const loaders = createLoaders(scope);
  return {
    request,
    webhookEndpoints: new WebhookEndpointService(request, scope, loaders, services.webhooks),
    webhookDeliveries: new WebhookDeliveryService(request, scope, loaders, services.webhooks),
    events: new EventJournalService(scope, loaders),
    secrets: new SecretReencryptionService(
      request,
      runtime,
      services.jobAdmin.queues.get(REENCRYPT_SECRETS_QUEUE),
    ),
    jobAdmin: createJobAdminContext(request, runtime, services.jobAdmin),
  };
}
