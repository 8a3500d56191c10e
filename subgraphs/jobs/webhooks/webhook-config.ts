import { z } from 'zod';
import {
  encryption,
  refuseDevelopmentEncryptionKeyInProduction,
} from '../../../platform/config/encryption';
import { integer } from '../../../platform/config/fields';
import { outbound, refuseMetadataCidrsInProduction } from '../../../platform/config/outbound';
import { parseDuration } from './retry-policy';

/** Never more than this many endpoints per tenant, whatever the config says. */
export const MAX_ENDPOINTS_PER_TENANT = 100;

const MAX_RETRY_DELAY_MS = 7 * 24 * 3600_000;

/** `5s,5m,30m,2h`: the delay before each retry; the list's length is the number of retries. */
const retrySchedule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const entries = value.split(',').map((entry) => entry.trim());
      const delays: number[] = [];
      entries.forEach((entry, index) => {
        const ms = parseDuration(entry);
        if (ms === null || ms <= 0 || ms > MAX_RETRY_DELAY_MS) {
          ctx.addIssue(
            `entry ${index + 1} must be a duration such as 500ms, 5s, 5m, 2h or 1d (at most 7d)`,
          );
        } else delays.push(ms);
      });
      if (entries.length > 20) ctx.addIssue('at most 20 retries');
      return delays;
    });

const shared = {
  /** Webhook secrets are encrypted at rest with the platform key ring. */
  ...encryption,
  /** Endpoints are tenant-chosen URLs: the SSRF filter and its exceptions. */
  ...outbound,
  WEBHOOK_TIMEOUT_MS: integer(15_000, 100, 120_000).describe(
    "One attempt's deadline: DNS, connect, TLS and the whole answer.",
  ),
};

/** The jobs subgraph's webhook variables (endpoint management, verification, test sends). */
export const webhookConfigShape = {
  ...shared,
  WEBHOOK_MAX_ENDPOINTS_PER_TENANT: integer(20, 1, MAX_ENDPOINTS_PER_TENANT).describe(
    'Webhook endpoints one tenant may have (1-100).',
  ),
};

/** The worker's webhook variables (delivery). */
export const webhookWorkerConfigShape = {
  ...shared,
  WEBHOOK_RETRY_SCHEDULE: retrySchedule('5s,5m,30m,2h,5h,10h,10h').describe(
    'The wait before each retry (`ms`, `s`, `m`, `h`, `d`; at most 20, each ≤ 7d), ±20 %.',
  ),
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: integer(3_600, 1, 86_400).describe(
    'A `Retry-After` longer than this is shortened to it.',
  ),
  WEBHOOK_DISABLE_AFTER_DAYS: integer(5, 1, 90).describe(
    'An endpoint whose every attempt failed for this long is disabled.',
  ),
  WEBHOOK_CONCURRENCY: integer(64, 1, 512).describe('Deliveries one worker process sends at once.'),
  WEBHOOK_BATCH_LINGER_MS: integer(5, 0, 1_000).describe(
    "How long a worker's delivery load or success recording waits for more deliveries to join it before it runs, when fewer than WEBHOOK_CONCURRENCY wait (group commit; 0: never). Against receivers that take a while to answer, deliveries finish one at a time, and each would pay a transaction of its own.",
  ),
  WEBHOOK_ENDPOINT_CONCURRENCY: integer(0, 0, 512).describe(
    '0 (the default): no per-endpoint cap. Otherwise, attempts in flight to one endpoint at once, across every worker process: a slow receiver holds at most this many worker slots, and its further deliveries wait in the delayed set.',
  ),
  WEBHOOK_ENDPOINT_DEFER_MS: integer(250, 10, 60_000).describe(
    "About how long a delivery over its endpoint's cap waits before it asks again.",
  ),
  WEBHOOK_JOB_LOCK_MS: integer(30_000, 1_000, 600_000).describe(
    'How long a delivery job stays locked without its worker renewing the lock; a worker that died (kill -9) hands its deliveries back after about this long.',
  ),
};

export type WebhookApiConfig = z.infer<z.ZodObject<typeof webhookConfigShape>> & {
  NODE_ENV: string;
};
export type WebhookWorkerConfig = z.infer<z.ZodObject<typeof webhookWorkerConfigShape>> & {
  NODE_ENV: string;
};

export const webhookConfigRules = [
  refuseDevelopmentEncryptionKeyInProduction,
  refuseMetadataCidrsInProduction,
];
