import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { MAX_EMAIL_LENGTH } from '../../mail/address';

export const MAX_VERIFIED_USERS_EMAILS = 50;

/**
 * The accounts behind email addresses, for services that may mail only a tenant's verified
 * members (alert notifications): the active accounts among `emails` (normalized: trimmed, lower
 * case) whose email is verified. An address left out of the answer has no such account.
 * Whether the account belongs to a tenant is tenancy's to say (the role lookup).
 */
export const verifiedUsersCall = defineInternalCall({
  name: 'the verified users lookup',
  path: '/internal/users/verified',
  servedBy: ['auth'],
  callers: ['observability', 'worker'],
  mutating: false,
  request: z.object({
    emails: z.array(z.string().min(3).max(MAX_EMAIL_LENGTH)).min(1).max(MAX_VERIFIED_USERS_EMAILS),
  }),
  answer: z.object({ users: z.array(z.object({ id: z.uuid(), email: z.string() })) }),
  timeoutMs: 2_000,
  bodyLimitBytes: 32 * 1024,
});
