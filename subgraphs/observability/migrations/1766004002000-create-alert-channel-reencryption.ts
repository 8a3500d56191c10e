import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

/**
 * After a key rotation the re-encryption job rewrites alert channels' secrets too, but
 * row-level security shows observability one owner at a time. These functions, run as the
 * schema owner, answer only which channels still need it (id and owner, in id order) and how
 * many: never an envelope. Each channel is then rewritten in its owner's own transaction.
 */
export class CreateAlertChannelReencryption1766004002000 implements MigrationInterface {
  name = 'CreateAlertChannelReencryption1766004002000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'observability.alert_channel_secrets_to_reencrypt');
    await runner.query(`
      CREATE FUNCTION observability.alert_channel_secrets_to_reencrypt(
        active_kid text,
        after_id uuid,
        max_rows integer
      )
      RETURNS TABLE (id uuid, tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, observability, pg_temp
      AS $$
        SELECT c.id, c.tenant_id
          FROM observability.alert_channels c
         WHERE split_part(c.secret_ciphertext, '.', 2) <> active_kid
           AND (after_id IS NULL OR c.id > after_id)
         ORDER BY c.id
         LIMIT least(greatest(max_rows, 0), 1000)
      $$`);
    await runner.query(`
      CREATE FUNCTION observability.count_alert_channel_secrets_to_reencrypt(active_kid text)
      RETURNS bigint
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, observability, pg_temp
      AS $$
        SELECT count(*) FROM observability.alert_channels c
         WHERE split_part(c.secret_ciphertext, '.', 2) <> active_kid
      $$`);
    for (const signature of [
      'observability.alert_channel_secrets_to_reencrypt(text, uuid, integer)',
      'observability.count_alert_channel_secrets_to_reencrypt(text)',
    ]) {
      await grantFunctionToApp(runner, signature, ['observability']);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP FUNCTION observability.count_alert_channel_secrets_to_reencrypt(text)`,
    );
    await runner.query(
      `DROP FUNCTION observability.alert_channel_secrets_to_reencrypt(text, uuid, integer)`,
    );
  }
}
