import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { usageDeltaSchema } from '../../usage/usage-counts';

/** Most tenant-days in one report; a gateway with more sends several. */
export const MAX_USAGE_DELTAS = 500;

/**
 * A gateway's (operations) or the worker's (webhook deliveries) usage counts since its last
 * report (every few seconds), added to the tenants' daily rows by observability. Each report is applied once (its nonce is claimed), so a
 * replayed one cannot inflate a tenant's usage.
 */
export const usageReportCall = defineInternalCall({
  name: 'the usage report',
  path: '/internal/usage/report',
  servedBy: ['observability'],
  callers: ['gateway', 'worker'],
  mutating: true,
  request: z.object({ deltas: z.array(usageDeltaSchema).max(MAX_USAGE_DELTAS) }).strict(),
  answer: z.object({ recorded: z.number().int().nonnegative() }),
  timeoutMs: 10_000,
  bodyLimitBytes: 256 * 1024,
});
