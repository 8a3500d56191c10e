import type {
  DeadLetterResolvers,
  MutationResolvers,
  PurgeRunResolvers,
  PurgeTrigger,
  QueryResolvers,
} from '../generated/resolvers-types';
import { PURGE_TARGETS } from '../../../platform/contracts/jobs/purge-targets';
import { jobKey } from '../admin/job-view';
import type { PurgeTrigger as StoredTrigger } from '../repositories/purge-run.repository';

const TRIGGERS: Record<StoredTrigger, PurgeTrigger> = { schedule: 'SCHEDULE', manual: 'MANUAL' };

export const jobAdminQueries: Pick<
  QueryResolvers,
  'jobs' | 'deadLetters' | 'adminJobs' | 'adminDeadLetters' | 'purgeRuns' | 'purgeTargets'
> = {
  jobs: (_parent, args, { jobAdmin }) => jobAdmin.jobs.list(jobAdmin.tenantScope(), args),
  deadLetters: (_parent, args, { jobAdmin }) =>
    jobAdmin.deadLetters.list(jobAdmin.tenantScope(), args),
  adminJobs: (_parent, { tenantId, ...args }, { jobAdmin }) =>
    jobAdmin.jobs.list(jobAdmin.platformScope(tenantId), args),
  adminDeadLetters: (_parent, { tenantId, ...args }, { jobAdmin }) =>
    jobAdmin.deadLetters.list(jobAdmin.platformScope(tenantId), args),
  purgeRuns: (_parent, { first }, { jobAdmin }) => jobAdmin.purgeRuns.latest(first),
  purgeTargets: () => [...PURGE_TARGETS],
};

export const jobAdminMutations: Pick<
  MutationResolvers,
  | 'cancelJob'
  | 'retryJob'
  | 'replayDeadLetter'
  | 'adminCancelJob'
  | 'adminRetryJob'
  | 'adminReplayDeadLetter'
  | 'runPurge'
> = {
  cancelJob: (_parent, { id }, { jobAdmin }) => jobAdmin.jobs.cancel(jobAdmin.tenantScope(), id),
  retryJob: (_parent, { id }, { jobAdmin }) => jobAdmin.jobs.retry(jobAdmin.tenantScope(), id),
  replayDeadLetter: (_parent, { id }, { jobAdmin }) =>
    jobAdmin.deadLetters.replay(jobAdmin.tenantScope(), id),
  adminCancelJob: (_parent, { id }, { jobAdmin }) =>
    jobAdmin.jobs.cancel(jobAdmin.platformScope(), id),
  adminRetryJob: (_parent, { id }, { jobAdmin }) =>
    jobAdmin.jobs.retry(jobAdmin.platformScope(), id),
  adminReplayDeadLetter: (_parent, { id }, { jobAdmin }) =>
    jobAdmin.deadLetters.replay(jobAdmin.platformScope(), id),
  runPurge: (_parent, { target }, { jobAdmin }) => jobAdmin.purgeRuns.run(target, jobAdmin.userId),
};

export const deadLetterResolvers: DeadLetterResolvers = {
  job: (letter, _args, { jobAdmin }) => jobAdmin.deadLetters.jobOf(letter),
  // A job id as `Job.id` spells it, so it can go straight to cancelJob or jobs.
  replayedJobId: (letter) =>
    letter.replayedJobId === null ? null : jobKey(letter.queue, letter.replayedJobId),
};

export const purgeRunResolvers: PurgeRunResolvers = {
  trigger: (run) => TRIGGERS[run.trigger],
};
