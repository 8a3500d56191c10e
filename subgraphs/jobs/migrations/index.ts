import { CreateWebhookEndpoints1764028803000 } from './1764028803000-create-webhook-endpoints';

export const jobsMigrations = [CreateWebhookEndpoints1764028803000];
