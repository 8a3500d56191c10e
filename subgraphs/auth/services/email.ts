import { ValidationError } from '../../../platform/errors';

// Deliberately plain: one address, no display name, no comments, ASCII only.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Trimmed and lower-cased: one account per mailbox, however it is typed. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL.test(normalized)) {
    throw new ValidationError('Enter a valid email address', { field: 'email' });
  }
  return normalized;
}

export function normalizeDisplayName(displayName: string | null | undefined): string | null {
  if (displayName === null || displayName === undefined) return null;
  const trimmed = displayName.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > 100) {
    throw new ValidationError('Display name must be at most 100 characters', {
      field: 'displayName',
    });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ValidationError('Display name must not contain control characters', {
      field: 'displayName',
    });
  }
  return trimmed;
}
