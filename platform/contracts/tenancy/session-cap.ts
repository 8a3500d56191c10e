import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { MAX_SESSIONS_PER_USER_MAX, MAX_SESSIONS_PER_USER_MIN } from './tenant-settings';

/**
 * The strictest `maxSessionsPerUser` among the live tenants a user belongs to, or null when
 * none of them sets one: auth caps the user's live sessions at it (and at the platform's
 * MAX_SESSIONS_PER_USER) when it opens a session. Sessions belong to accounts, not tenants,
 * so the tenant that asks for the fewest sessions decides for all of them.
 */
export const sessionCapCall = defineInternalCall({
  name: 'the session cap lookup',
  path: '/internal/session-cap',
  servedBy: ['tenancy'],
  callers: ['auth'],
  mutating: false,
  request: z.object({ userId: z.uuid() }),
  answer: z.object({
    maxSessionsPerUser: z
      .number()
      .int()
      .min(MAX_SESSIONS_PER_USER_MIN)
      .max(MAX_SESSIONS_PER_USER_MAX)
      .nullable(),
  }),
  timeoutMs: 2_000,
  bodyLimitBytes: 1024,
});
