import type { KeepJobs } from 'bullmq';

/**
 * How many finished jobs each queue keeps in Redis, and for how long: every worker applies
 * these to jobs that set nothing themselves, so no queue grows without bound. Jobs that
 * failed for good are also copied to the dead-letter store (PostgreSQL) by the worker's
 * watcher, so Redis needs to keep only recent ones; the `finished-jobs` retention purge
 * removes what is older than JOB_RETENTION_HOURS in between.
 */
export const REMOVE_ON_COMPLETE: KeepJobs = { age: 24 * 3600, count: 1000 };
export const REMOVE_ON_FAIL: KeepJobs = { age: 7 * 24 * 3600, count: 1000 };

export const FINISHED_JOB_BOUNDS = {
  removeOnComplete: REMOVE_ON_COMPLETE,
  removeOnFail: REMOVE_ON_FAIL,
} as const;
