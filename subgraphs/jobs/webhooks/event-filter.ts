import { ValidationError } from '../../../platform/errors/domain-errors';
import { EVENT_TYPES } from '../../../platform/events/event-types';

/** At most this many entries in an endpoint's `eventTypes` (the table's CHECK says the same). */
export const MAX_EVENT_TYPE_FILTERS = 100;

/**
 * Deliveries' own events never go out as webhooks: a delivery of "delivery failed" that fails
 * would announce itself again, forever.
 */
const NEVER_DELIVERED_PREFIX = 'jobs.webhook.';

/** The event types webhooks can carry. */
export const DELIVERABLE_EVENT_TYPES: readonly string[] = EVENT_TYPES.filter(
  (type) => !type.startsWith(NEVER_DELIVERED_PREFIX),
);

/** `*`, and every `owner.*` / `owner.entity.*` that covers at least one deliverable type. */
const WILDCARDS = new Set<string>(['*']);
for (const type of DELIVERABLE_EVENT_TYPES) {
  const parts = type.split('.');
  for (let length = 1; length < parts.length; length += 1) {
    WILDCARDS.add(`${parts.slice(0, length).join('.')}.*`);
  }
}
const EXACT = new Set(DELIVERABLE_EVENT_TYPES);

/**
 * An endpoint's event type filters: exact types (`assets.asset.created`), a prefix ending in
 * `.*` (`tenancy.member.*`, `assets.*`) or `*` for every type. Unknown names are refused, so a
 * typo does not make an endpoint that silently receives nothing. Returns them deduplicated.
 */
export function validateEventTypeFilters(filters: readonly string[]): string[] {
  const unique = [...new Set(filters.map((filter) => filter.trim()))];
  if (unique.length === 0 || unique.length > MAX_EVENT_TYPE_FILTERS) {
    throw new ValidationError(`eventTypes takes 1 to ${MAX_EVENT_TYPE_FILTERS} event types`, {
      field: 'eventTypes',
    });
  }
  for (const filter of unique) {
    if (!EXACT.has(filter) && !WILDCARDS.has(filter)) {
      throw new ValidationError(
        `"${filter.slice(0, 64)}" is not an event type webhooks deliver: use a type such as ` +
          `"assets.asset.created", a prefix such as "tenancy.member.*", or "*"`,
        { field: 'eventTypes' },
      );
    }
  }
  return unique;
}

/** Whether an endpoint with these filters receives events of `type`. */
export function matchesEventType(filters: readonly string[], type: string): boolean {
  if (type.startsWith(NEVER_DELIVERED_PREFIX)) return false;
  return filters.some(
    (filter) =>
      filter === '*' ||
      filter === type ||
      (filter.endsWith('.*') && type.startsWith(filter.slice(0, -1))),
  );
}

export const EXCLUDED_EVENT_TYPE_PREFIX = NEVER_DELIVERED_PREFIX;

/** An endpoint's filters (narrowed to `types` when given) as SQL can match them. */
export interface TypeSelection {
  all: boolean;
  exact: string[];
  /** `tenancy.member.` for the filter `tenancy.member.*`. */
  prefixes: string[];
}

export function typeSelection(
  filters: readonly string[],
  types: readonly string[] | null,
): TypeSelection {
  if (types !== null) {
    return {
      all: false,
      exact: types.filter((type) => matchesEventType(filters, type)),
      prefixes: [],
    };
  }
  return {
    all: filters.includes('*'),
    exact: filters.filter((filter) => !filter.endsWith('*')),
    prefixes: filters
      .filter((filter) => filter.endsWith('.*'))
      .map((filter) => filter.slice(0, -1)),
  };
}

/** `types` arguments name exact deliverable types. */
export function validateExactTypes(types: readonly string[], field: string): string[] {
  const unique = [...new Set(types)];
  if (unique.length === 0 || unique.length > MAX_EVENT_TYPE_FILTERS) {
    throw new ValidationError(`${field} takes 1 to ${MAX_EVENT_TYPE_FILTERS} event types`, {
      field,
    });
  }
  for (const type of unique) {
    if (!EXACT.has(type)) {
      throw new ValidationError(`"${type.slice(0, 64)}" is not an event type webhooks deliver`, {
        field,
      });
    }
  }
  return unique;
}

/** Whether `type` is an event type a webhook can carry (test sends pick one). */
export function isDeliverableEventType(type: string): boolean {
  return EXACT.has(type);
}
