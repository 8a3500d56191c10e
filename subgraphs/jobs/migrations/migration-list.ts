import { CreateWebhookEndpoints1764028803000 } from './1764028803000-create-webhook-endpoints';
import { CreateWebhookDeliveries1764028860000 } from './1764028860000-create-webhook-deliveries';
import { CreatePurgeRuns1764028873000 } from './1764028873000-create-purge-runs';
import { CreateWebhookSecretReencryption1764028881000 } from './1764028881000-create-webhook-secret-reencryption';
import { HoldSuspendedTenantDeliveries1765006000100 } from './1765006000100-hold-suspended-tenant-deliveries';
import { AllowApiKeyPurgeRuns1766005002000 } from './1766005002000-allow-api-key-purge-runs';

export const jobsMigrations = [
  CreateWebhookEndpoints1764028803000,
  CreateWebhookDeliveries1764028860000,
  CreatePurgeRuns1764028873000,
  CreateWebhookSecretReencryption1764028881000,
  HoldSuspendedTenantDeliveries1765006000100,
  AllowApiKeyPurgeRuns1766005002000,
];
