import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

/**
 * The re-encryption job rewrites every tenant's webhook signing secrets (the current one and,
 * during a rotation's grace period, the previous one) after a key rotation, but row-level
 * security shows the jobs role one tenant at a time. These functions, run as the schema owner,
 * answer only which endpoints still need it (id and tenant, in id order) and how many secrets:
 * never an envelope. Each endpoint is then re-read and rewritten inside its own tenant's
 * transaction, under row-level security like any other write.
 *
 * No index on the envelopes' key ids: the listing walks the primary key and filters, and it
 * runs only in that job, over a table capped at a few endpoints per tenant.
 */
export class CreateWebhookSecretReencryption1764028881000 implements MigrationInterface {
  name = 'CreateWebhookSecretReencryption1764028881000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION jobs.webhook_secrets_to_reencrypt(
        active_kid text,
        after_id uuid,
        max_rows integer
      )
      RETURNS TABLE (id uuid, tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, jobs, pg_temp
      AS $$
        SELECT e.id, e.tenant_id
          FROM jobs.webhook_endpoints e
         WHERE (split_part(e.secret_ciphertext, '.', 2) <> active_kid
                OR split_part(e.previous_secret_ciphertext, '.', 2) <> active_kid)
           AND (after_id IS NULL OR e.id > after_id)
         ORDER BY e.id
         LIMIT least(greatest(max_rows, 0), 1000)
      $$`);
    // Counts secrets, not endpoints: an endpoint mid-rotation holds two.
    await runner.query(`
      CREATE FUNCTION jobs.count_webhook_secrets_to_reencrypt(active_kid text)
      RETURNS bigint
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, jobs, pg_temp
      AS $$
        SELECT coalesce(sum(
                 (split_part(e.secret_ciphertext, '.', 2) <> active_kid)::int
                 + coalesce((split_part(e.previous_secret_ciphertext, '.', 2) <> active_kid)::int, 0)
               ), 0)::bigint
          FROM jobs.webhook_endpoints e
      $$`);
    for (const signature of [
      'jobs.webhook_secrets_to_reencrypt(text, uuid, integer)',
      'jobs.count_webhook_secrets_to_reencrypt(text)',
    ]) {
      await grantFunctionToApp(runner, signature, ['jobs']);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION jobs.count_webhook_secrets_to_reencrypt(text)`);
    await runner.query(`DROP FUNCTION jobs.webhook_secrets_to_reencrypt(text, uuid, integer)`);
  }
}
