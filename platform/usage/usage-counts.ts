import { z } from 'zod';

/** The operation types counted per tenant and day. */
export const OPERATION_TYPES = ['query', 'mutation', 'subscription'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * What one gateway process counted for one tenant on one UTC day since its last report: sums
 * to add to the day's row, and the most live subscriptions it saw at once (the row keeps the
 * largest report).
 */
export const usageDeltaSchema = z
  .object({
    tenantId: z.uuid(),
    /** The UTC day, `YYYY-MM-DD`. */
    day: z.iso.date(),
    requests: count,
    queries: count,
    mutations: count,
    subscriptions: count,
    responseBytes: count,
    webhookDeliveries: count,
    peakSubscriptions: count,
  })
  .strict();
export type UsageDelta = z.infer<typeof usageDeltaSchema>;

/** The UTC day of `ms` (epoch milliseconds), as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
