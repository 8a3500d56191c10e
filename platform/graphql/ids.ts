import { ValidationError } from '../errors/domain-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Ids are UUIDs; anything else is the caller's mistake, reported before any query runs. */
export function parseId(value: unknown, field = 'id'): string {
  if (!isUuid(value)) throw new ValidationError(`${field} must be a UUID`, { field });
  return value.toLowerCase();
}
