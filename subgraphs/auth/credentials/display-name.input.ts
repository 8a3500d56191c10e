import { ValidationError } from '../../../platform/errors/domain-errors';

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
