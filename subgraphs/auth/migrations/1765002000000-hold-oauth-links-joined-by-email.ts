import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

/**
 * Older releases joined a provider account to the existing account with the same email when
 * both called it verified, so a tenant's own provider could claim anyone's address and take the
 * account over. Which links that match made is not recorded: it looks the same as one the user
 * made with linkOAuth. What is knowable is which links it certainly did not make: one made with
 * its account (same transaction, so `linked_at = created_at`) and one whose provider email is
 * not the account's (the match needed equal addresses). Every other link is held: it signs
 * nobody in until its user links the provider again, or a trusted issuer vouches for the
 * email. Sessions opened since such a link was made end, since a takeover's would be among
 * them (`admin`: ended by the operator); their users sign in again.
 *
 * From now on links are held in one more case, through the owner's function below: when a
 * password reset first proves the mailbox of an account whose address nobody had verified,
 * the links made before (by whoever claimed the address through a tenant's provider) are held.
 */
export class HoldOAuthLinksJoinedByEmail1765002000000 implements MigrationInterface {
  name = 'HoldOAuthLinksJoinedByEmail1765002000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE auth.oauth_links ADD COLUMN held boolean NOT NULL DEFAULT false`,
    );
    await runner.query(`
      UPDATE auth.oauth_links l SET held = true
        FROM auth.users u
       WHERE u.id = l.user_id AND l.linked_at > u.created_at AND l.email = u.email`);
    await runner.query(`
      UPDATE auth.sessions s SET revoked_at = now(), revoked_reason = 'admin'
       WHERE s.revoked_at IS NULL AND s.expires_at > now() AND EXISTS (
             SELECT 1 FROM auth.oauth_links l
              WHERE l.held AND l.user_id = s.user_id AND s.created_at >= l.linked_at)`);
    // Across tenants, like auth.oauth_links_of_user: a user's links live under each tenant.
    await runner.query(`
      CREATE FUNCTION auth.hold_oauth_links_of_user(uid uuid) RETURNS integer
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ WITH held AS (
                UPDATE auth.oauth_links SET held = true WHERE user_id = uid AND NOT held
                RETURNING 1)
              SELECT count(*)::integer FROM held $$`);
    await grantFunctionToApp(runner, 'auth.hold_oauth_links_of_user(uuid)');
  }

  /** The held links sign in again; the sessions that were ended stay ended. */
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION auth.hold_oauth_links_of_user(uuid)`);
    await runner.query(`ALTER TABLE auth.oauth_links DROP COLUMN held`);
  }
}
