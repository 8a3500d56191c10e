import { z } from 'zod';
import { MAX_EMAIL_LENGTH } from '../mail/address';

/**
 * Auth's internal lookup of the accounts behind email addresses, for services that may mail
 * only a tenant's verified members (alert notifications): `POST VERIFIED_USERS_PATH` with a
 * signed service context and `{ emails }` (normalized: trimmed, lower case), answered with the
 * active accounts among them whose email is verified. An address left out of the answer has no
 * such account. Whether the account belongs to a tenant is tenancy's to say (the role lookup).
 */
export const VERIFIED_USERS_PATH = '/internal/users/verified';

export const MAX_VERIFIED_USERS_EMAILS = 50;
export const VERIFIED_USERS_BODY_LIMIT_BYTES = 32 * 1024;

export const verifiedUsersRequestSchema = z.object({
  emails: z.array(z.string().min(3).max(MAX_EMAIL_LENGTH)).min(1).max(MAX_VERIFIED_USERS_EMAILS),
});
export type VerifiedUsersRequest = z.infer<typeof verifiedUsersRequestSchema>;

export const verifiedUsersAnswerSchema = z.object({
  users: z.array(z.object({ id: z.uuid(), email: z.string() })),
});
export type VerifiedUsersAnswer = z.infer<typeof verifiedUsersAnswerSchema>;
