import { ValidationError } from '../../errors/domain-errors';
import type { SubgraphName } from '../../paths';
import type { RetentionTarget } from '../tenancy/tenant-settings';

/**
 * Every retention purge, by the name `runPurge(target)` takes, the job schedulers use and
 * `jobs.purge_runs` records. One place, so a target cannot be misspelled on one side.
 */
export const PurgeTarget = {
  /** Sessions expired or revoked past retention, with their refresh tokens (auth). */
  SESSIONS: 'sessions',
  /** API keys revoked or expired past retention (auth); a revoked key is never used again. */
  API_KEYS: 'api-keys',
  /** Email verification and password reset tokens used or expired past retention (auth). */
  EMAIL_TOKENS: 'email-tokens',
  /** Invitations never accepted, expired past retention (tenancy). */
  INVITATIONS: 'invitations',
  /** The event journal past each tenant's retention, platform events too (jobs). */
  EVENTS: 'events',
  /** Webhook deliveries with their attempts past each tenant's retention (jobs). */
  WEBHOOK_DELIVERIES: 'webhook-deliveries',
  /** Dead letters past retention (jobs). */
  DEAD_LETTERS: 'dead-letters',
  /** Soft-deleted assets past each tenant's retention, blob first, then the row (assets). */
  DELETED_ASSETS: 'deleted-assets',
  /** Uploads declared but never completed, with any bytes that arrived (assets). */
  PENDING_UPLOADS: 'pending-uploads',
  /** Completed and failed BullMQ jobs past JOB_RETENTION_HOURS (the worker itself). */
  FINISHED_JOBS: 'finished-jobs',
} as const;
export type PurgeTarget = (typeof PurgeTarget)[keyof typeof PurgeTarget];

export const PURGE_TARGETS: readonly PurgeTarget[] = Object.values(PurgeTarget);

/** How long a target's rows are kept. */
export type PurgeRetention =
  /** A tenant setting: the tenant's override, or the platform default (platform rows too). */
  | { setting: RetentionTarget }
  /** The same span for everyone. */
  | { days: number }
  /** The worker's JOB_RETENTION_HOURS. */
  | { jobRetentionHours: true };

export interface PurgeTargetSpec {
  /** Who deletes the rows: a subgraph through its retention route, or the worker (Redis). */
  owner: SubgraphName | 'worker';
  /**
   * `global`: rows of no tenant (accounts' sessions and tokens), one cutoff for all.
   * `tenants`: tenant-owned rows under row-level security, purged tenant by tenant.
   * `tenants-and-platform`: the same, plus the platform's own rows (tenant NULL).
   */
  scope: 'global' | 'tenants' | 'tenants-and-platform';
  retention: PurgeRetention;
  /** Rows per batch, when smaller than DEFAULT_PURGE_BATCH (a blob goes with each asset row). */
  batch?: number;
}

export const PURGE_TARGET_SPECS: Record<PurgeTarget, PurgeTargetSpec> = {
  // Sessions belong to accounts, not tenants: the platform default of the sessions setting.
  [PurgeTarget.SESSIONS]: { owner: 'auth', scope: 'global', retention: { setting: 'sessions' } },
  [PurgeTarget.API_KEYS]: { owner: 'auth', scope: 'tenants', retention: { days: 30 } },
  [PurgeTarget.EMAIL_TOKENS]: { owner: 'auth', scope: 'global', retention: { days: 7 } },
  [PurgeTarget.INVITATIONS]: { owner: 'tenancy', scope: 'tenants', retention: { days: 30 } },
  [PurgeTarget.EVENTS]: {
    owner: 'jobs',
    scope: 'tenants-and-platform',
    retention: { setting: 'events' },
  },
  [PurgeTarget.WEBHOOK_DELIVERIES]: {
    owner: 'jobs',
    scope: 'tenants',
    retention: { setting: 'webhookDeliveries' },
  },
  [PurgeTarget.DEAD_LETTERS]: {
    owner: 'jobs',
    scope: 'tenants-and-platform',
    retention: { days: 30 },
  },
  [PurgeTarget.DELETED_ASSETS]: {
    owner: 'assets',
    scope: 'tenants',
    retention: { setting: 'deletedAssets' },
    batch: 50,
  },
  [PurgeTarget.PENDING_UPLOADS]: {
    owner: 'assets',
    scope: 'tenants',
    retention: { days: 1 },
    batch: 50,
  },
  [PurgeTarget.FINISHED_JOBS]: {
    owner: 'worker',
    scope: 'global',
    retention: { jobRetentionHours: true },
  },
};

const KNOWN = new Set<string>(PURGE_TARGETS);

export function isPurgeTarget(value: unknown): value is PurgeTarget {
  return typeof value === 'string' && KNOWN.has(value);
}

/** A target named by a client: BAD_USER_INPUT, listing the valid ones, when unknown. */
export function parsePurgeTarget(value: unknown): PurgeTarget {
  if (isPurgeTarget(value)) return value;
  throw new ValidationError(`Unknown purge target; one of: ${PURGE_TARGETS.join(', ')}`, {
    field: 'target',
    targets: [...PURGE_TARGETS],
  });
}

/** The targets one subgraph deletes through its retention route. */
export function purgeTargetsOf(owner: SubgraphName): PurgeTarget[] {
  return PURGE_TARGETS.filter((target) => PURGE_TARGET_SPECS[target].owner === owner);
}
