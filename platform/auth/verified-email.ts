import { z } from 'zod';

/**
 * The auth process's internal "whose address is this?", which tenancy calls when a user
 * accepts an invitation: `POST VERIFIED_EMAIL_PATH` with the user's own signed request
 * context and an empty JSON object, answered with {@link VerifiedEmailAnswer} for the user the
 * context names (never for anyone else), read fresh from auth's table.
 */
export const VERIFIED_EMAIL_PATH = '/internal/users/verified-email';

export const VERIFIED_EMAIL_BODY_LIMIT_BYTES = 1024;

export const verifiedEmailRequestSchema = z.object({}).strict();
export type VerifiedEmailRequest = z.infer<typeof verifiedEmailRequestSchema>;

/** `email` is null when the context names no user, or one that does not exist. */
export const verifiedEmailAnswerSchema = z.object({
  email: z.string().nullable(),
  verified: z.boolean(),
});
export type VerifiedEmailAnswer = z.infer<typeof verifiedEmailAnswerSchema>;
