import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The purge targets before API keys had one, and after. */
const BEFORE = [
  'sessions',
  'email-tokens',
  'invitations',
  'events',
  'webhook-deliveries',
  'dead-letters',
  'deleted-assets',
  'pending-uploads',
  'finished-jobs',
];
const AFTER = [...BEFORE, 'api-keys'];

const check = (targets: string[]) =>
  `CHECK (target IN (${targets.map((target) => `'${target}'`).join(', ')}))`;

/**
 * Revoked and expired API keys get a retention purge (`api-keys`): its runs are recorded in
 * `jobs.purge_runs` like every other target's.
 */
export class AllowApiKeyPurgeRuns1766005002000 implements MigrationInterface {
  name = 'AllowApiKeyPurgeRuns1766005002000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE jobs.purge_runs DROP CONSTRAINT purge_runs_target_check`);
    await runner.query(
      `ALTER TABLE jobs.purge_runs ADD CONSTRAINT purge_runs_target_check ${check(AFTER)}`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM jobs.purge_runs WHERE target = 'api-keys'`);
    await runner.query(`ALTER TABLE jobs.purge_runs DROP CONSTRAINT purge_runs_target_check`);
    await runner.query(
      `ALTER TABLE jobs.purge_runs ADD CONSTRAINT purge_runs_target_check ${check(BEFORE)}`,
    );
  }
}
