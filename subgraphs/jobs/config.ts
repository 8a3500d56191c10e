import type { z } from 'zod';
import type { SubgraphConfig } from '../../platform/subgraph/subgraph-service';
import { webhookConfigRules, webhookConfigShape } from './webhooks/webhook-config';

/** The jobs subgraph's own variables, validated together with the common ones. */
export const jobsConfigShape = {
  ...webhookConfigShape,
};

export type JobsConfig = SubgraphConfig & z.infer<z.ZodObject<typeof jobsConfigShape>>;

export const jobsConfigRules = [...webhookConfigRules];
