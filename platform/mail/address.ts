import { ValidationError } from '../errors/domain-errors';

/** RFC 5321's limit on a whole forward path. */
export const MAX_EMAIL_LENGTH = 254;

// Deliberately plain: one address, no display name, no comments, ASCII only.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Whether `value` is an address as {@link normalizeEmail} accepts it (after normalizing). */
export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/**
 * Trimmed and lower-cased: one account (or one invitation) per mailbox, however it is typed.
 * Shared by auth (accounts) and tenancy (invitations), so both agree on what an address is.
 */
export function normalizeEmail(email: string, field = 'email'): string {
  // Checked before trimming too, so a huge input is refused without copying it around.
  if (email.length > 4 * MAX_EMAIL_LENGTH) {
    throw new ValidationError('Enter a valid email address', { field });
  }
  const normalized = email.trim().toLowerCase();
  if (!isEmailAddress(normalized)) {
    throw new ValidationError('Enter a valid email address', { field });
  }
  return normalized;
}
