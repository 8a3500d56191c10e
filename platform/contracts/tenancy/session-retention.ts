import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/** Users per page. */
export const SESSION_RETENTION_PAGE = 500;

/**
 * Auth's sessions retention purge pages through the users whose tenants shorten how long their
 * ended sessions are kept: `{ after }` (null first, then the last user id of the previous
 * page). Each user comes with the shortest `retentionDays.sessions` among the live tenants
 * they belong to that set one; users of no such tenant are left out (the platform default
 * applies to them).
 */
export const sessionRetentionCall = defineInternalCall({
  name: 'the session retention lookup',
  path: '/internal/session-retention',
  servedBy: ['tenancy'],
  callers: ['auth'],
  mutating: false,
  request: z.object({ after: z.uuid().nullable() }),
  answer: z.object({
    users: z
      .array(z.object({ userId: z.uuid(), days: z.number().int().min(1) }))
      .max(SESSION_RETENTION_PAGE),
  }),
  timeoutMs: 10_000,
  bodyLimitBytes: 1024,
});
export type SessionRetentionAnswer = z.infer<typeof sessionRetentionCall.answer>;
