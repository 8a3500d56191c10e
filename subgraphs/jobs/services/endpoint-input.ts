import { ValidationError } from '../../../platform/errors/domain-errors';

/* Checks of a webhook endpoint's fields as the API takes them, before anything is read. */

const MAX_DESCRIPTION_LENGTH = 500;
const MAX_RATE_LIMIT = 10_000;
const DEFAULT_GRACE_SECONDS = 24 * 3600;
const MAX_GRACE_SECONDS = 7 * 24 * 3600;

/** An update may leave url and eventTypes out, but not clear them. */
export function refuseNulls<P extends { url?: string | null; eventTypes?: string[] | null }>(
  patch: P,
): asserts patch is P & { url?: string; eventTypes?: string[] } {
  if (patch.url === null) throw new ValidationError('url cannot be null', { field: 'url' });
  if (patch.eventTypes === null) {
    throw new ValidationError('eventTypes cannot be null', { field: 'eventTypes' });
  }
}

export function validDescription(description: string | null | undefined): string | null {
  const trimmed = description?.trim();
  if (!trimmed) return null;
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw new ValidationError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, {
      field: 'description',
    });
  }
  return trimmed;
}

export function validRateLimit(rate: number | null | undefined): number | null {
  if (rate === null || rate === undefined) return null;
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_LIMIT) {
    throw new ValidationError(`rateLimitPerSecond must be 1..${MAX_RATE_LIMIT} (or null)`, {
      field: 'rateLimitPerSecond',
    });
  }
  return rate;
}

/** How long a rotated-out secret keeps signing (a day unless asked otherwise). */
export function validGraceSeconds(gracePeriodSeconds: number | null | undefined): number {
  const grace = gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
    throw new ValidationError(`gracePeriodSeconds must be 0..${MAX_GRACE_SECONDS}`, {
      field: 'gracePeriodSeconds',
    });
  }
  return grace;
}
