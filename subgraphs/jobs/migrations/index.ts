import { CreateWebhookEndpoints1764028803000 } from './1764028803000-create-webhook-endpoints';
import { CreateWebhookDeliveries1764028860000 } from './1764028860000-create-webhook-deliveries';

export const jobsMigrations = [
  CreateWebhookEndpoints1764028803000,
  CreateWebhookDeliveries1764028860000,
];
