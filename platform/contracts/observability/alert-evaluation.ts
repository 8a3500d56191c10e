import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/** The worker's `evaluate-alerts` job runs one evaluation of every tenant's rules. */
export const alertEvaluationCall = defineInternalCall({
  name: 'the alert evaluation',
  path: '/internal/alerts/evaluate',
  servedBy: ['observability'],
  callers: ['worker'],
  mutating: true,
  request: z.object({}).strict(),
  answer: z.object({
    tenants: z.number().int().nonnegative(),
    /** Tenants whose rules were not evaluated: suspended or deleted. */
    paused: z.number().int().nonnegative(),
    rules: z.number().int().nonnegative(),
    fired: z.number().int().nonnegative(),
    resolved: z.number().int().nonnegative(),
    /** Notifications handed to the `alerts` queue by this evaluation (new or left over). */
    enqueued: z.number().int().nonnegative(),
    /** Processes whose /metrics did not answer: their samples are missing from this round. */
    unscraped: z.array(z.string()),
  }),
  timeoutMs: 30_000,
  bodyLimitBytes: 1024,
});
export type AlertEvaluationAnswer = z.infer<typeof alertEvaluationCall.answer>;
