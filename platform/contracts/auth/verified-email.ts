import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * Tenancy asks auth, when a user accepts an invitation, for the address of the user the signed
 * request context names (never anyone else's), read fresh, and whether it is verified.
 * `email` is null when the context names no user, or one that does not exist.
 */
export const verifiedEmailCall = defineInternalCall({
  name: 'the verified email lookup',
  path: '/internal/users/verified-email',
  servedBy: ['auth'],
  callers: ['tenancy'],
  mutating: false,
  request: z.object({}).strict(),
  answer: z.object({ email: z.string().nullable(), verified: z.boolean() }),
  timeoutMs: 2_000,
  bodyLimitBytes: 1024,
});
export type VerifiedEmailAnswer = z.infer<typeof verifiedEmailCall.answer>;
