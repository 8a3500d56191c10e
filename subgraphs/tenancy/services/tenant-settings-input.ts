import { ValidationError } from '../../../platform/errors/domain-errors';
import {
  DEFAULT_RETENTION_DAYS,
  MAX_ALLOWED_ORIGINS,
  MAX_SESSIONS_PER_USER_MAX,
  MAX_SESSIONS_PER_USER_MIN,
  normalizeOrigin,
  RETENTION_DAYS_MAX,
  RETENTION_DAYS_MIN,
  RETENTION_TARGETS,
} from '../../../platform/contracts/tenancy/tenant-settings';
import type { StoredTenantSettings } from '../repositories/tenant-settings.repository';

/** `updateTenantSettings`'s input as GraphQL hands it over (absent and null differ). */
export interface TenantSettingsInput {
  retentionDays?: {
    events?: number | null;
    webhookDeliveries?: number | null;
    deletedAssets?: number | null;
    sessions?: number | null;
  } | null;
  maxSessionsPerUser?: number | null;
  allowedOrigins?: readonly string[] | null;
}

/** What the `TenantSettings` GraphQL type resolves from: every default filled in. */
export interface TenantSettingsModel {
  retentionDays: {
    events: number;
    webhookDeliveries: number;
    deletedAssets: number;
    sessions: number;
  };
  maxSessionsPerUser: number | null;
  allowedOrigins: string[];
}

export const NO_OVERRIDES: StoredTenantSettings = Object.freeze({
  eventsRetentionDays: null,
  webhookDeliveriesRetentionDays: null,
  deletedAssetsRetentionDays: null,
  sessionsRetentionDays: null,
  maxSessionsPerUser: null,
  allowedOrigins: [],
});

const RETENTION_COLUMNS = {
  events: 'eventsRetentionDays',
  webhookDeliveries: 'webhookDeliveriesRetentionDays',
  deletedAssets: 'deletedAssetsRetentionDays',
  sessions: 'sessionsRetentionDays',
} as const satisfies Record<keyof TenantSettingsModel['retentionDays'], keyof StoredTenantSettings>;

export function toSettingsModel(stored: StoredTenantSettings): TenantSettingsModel {
  return {
    retentionDays: {
      events: stored.eventsRetentionDays ?? DEFAULT_RETENTION_DAYS.events,
      webhookDeliveries:
        stored.webhookDeliveriesRetentionDays ?? DEFAULT_RETENTION_DAYS.webhookDeliveries,
      deletedAssets: stored.deletedAssetsRetentionDays ?? DEFAULT_RETENTION_DAYS.deletedAssets,
      sessions: stored.sessionsRetentionDays ?? DEFAULT_RETENTION_DAYS.sessions,
    },
    maxSessionsPerUser: stored.maxSessionsPerUser,
    allowedOrigins: [...stored.allowedOrigins],
  };
}

/**
 * Applies the input to the stored overrides. A field left out stays as it is; an explicit null
 * returns it to the platform default (for `allowedOrigins`: none). Every problem of the input
 * is reported at once, naming its field.
 */
export function applySettingsInput(
  current: StoredTenantSettings,
  input: TenantSettingsInput,
  options: { allowHttp: boolean },
): { next: StoredTenantSettings; changed: string[] } {
  const next: { -readonly [K in keyof StoredTenantSettings]: StoredTenantSettings[K] } = {
    ...current,
    allowedOrigins: [...current.allowedOrigins],
  };
  const problems: { field: string; message: string }[] = [];
  const changed: string[] = [];

  const retention = input.retentionDays;
  if (retention) {
    for (const target of RETENTION_TARGETS) {
      if (!(target in retention)) continue;
      const value = retention[target];
      const field = `retentionDays.${target}`;
      if (
        value !== null &&
        value !== undefined &&
        !inRange(value, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX)
      ) {
        problems.push({
          field,
          message: `${field} must be ${RETENTION_DAYS_MIN}-${RETENTION_DAYS_MAX} days (or null for the default, ${DEFAULT_RETENTION_DAYS[target]})`,
        });
        continue;
      }
      next[RETENTION_COLUMNS[target]] = value ?? null;
      changed.push(field);
    }
  }

  if ('maxSessionsPerUser' in input) {
    const value = input.maxSessionsPerUser;
    if (
      value !== null &&
      value !== undefined &&
      !inRange(value, MAX_SESSIONS_PER_USER_MIN, MAX_SESSIONS_PER_USER_MAX)
    ) {
      problems.push({
        field: 'maxSessionsPerUser',
        message: `maxSessionsPerUser must be ${MAX_SESSIONS_PER_USER_MIN}-${MAX_SESSIONS_PER_USER_MAX} (or null for the platform default)`,
      });
    } else {
      next.maxSessionsPerUser = value ?? null;
      changed.push('maxSessionsPerUser');
    }
  }

  if ('allowedOrigins' in input) {
    const origins = validOrigins(input.allowedOrigins ?? [], options, problems);
    if (origins) {
      next.allowedOrigins = origins;
      changed.push('allowedOrigins');
    }
  }

  if (problems.length > 0) {
    throw new ValidationError(problems.map((problem) => problem.message).join('; '), {
      field: problems[0]!.field,
      fields: problems.map((problem) => problem.field),
    });
  }
  return { next, changed };
}

function validOrigins(
  raw: readonly string[],
  options: { allowHttp: boolean },
  problems: { field: string; message: string }[],
): string[] | null {
  if (raw.length > MAX_ALLOWED_ORIGINS) {
    problems.push({
      field: 'allowedOrigins',
      message: `allowedOrigins may list at most ${MAX_ALLOWED_ORIGINS} origins (got ${raw.length})`,
    });
    return null;
  }
  const origins = new Set<string>();
  const bad: string[] = [];
  for (const value of raw) {
    const origin = normalizeOrigin(value, options);
    if (origin) origins.add(origin);
    else bad.push(value);
  }
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 3)
      .map((value) => JSON.stringify(value.slice(0, 100)))
      .join(', ');
    problems.push({
      field: 'allowedOrigins',
      message: `allowedOrigins must be exact origins like https://app.example.com[:port] (${
        options.allowHttp ? 'https or http' : 'https only'
      }; no path, wildcard or credentials): ${shown}${bad.length > 3 ? ', …' : ''} ${
        bad.length === 1 ? 'is' : 'are'
      } not`,
    });
    return null;
  }
  return [...origins];
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
