import { z } from 'zod';

/** The operation types counted per tenant and day. */
export const OPERATION_TYPES = ['query', 'mutation', 'subscription'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * What one process counted for one tenant on one UTC day since its last report: sums to add
 * to the day's row, and levels whose largest report the row keeps (the most live
 * subscriptions at once, the most bytes stored).
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
    /** The most bytes the tenant's assets held (its storage quota's measure) when sampled. */
    storageBytes: count.default(0),
  })
  .strict();
export type UsageDelta = z.infer<typeof usageDeltaSchema>;

/** The UTC day of `ms` (epoch milliseconds), as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
