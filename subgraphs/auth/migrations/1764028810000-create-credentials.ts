import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantTableToApp } from '../../../platform/db/migration-helpers';

/** Passwords, sessions with rotating refresh tokens, and single-use email tokens. */
export class CreateCredentials1764028810000 implements MigrationInterface {
  name = 'CreateCredentials1764028810000';

  async up(runner: QueryRunner): Promise<void> {
    await this.createSessions(runner);
    await this.createEmailTokensAndSigningKeys(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE auth.signing_keys`);
    await runner.query(`DROP TABLE auth.email_tokens`);
    await runner.query(`DROP TABLE auth.refresh_tokens`);
    await runner.query(`DROP TABLE auth.sessions`);
    await runner.query(`
      ALTER TABLE auth.users
        DROP COLUMN password_hash, DROP COLUMN platform_role, DROP COLUMN updated_at`);
  }

  private async createSessions(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE auth.users
        ADD COLUMN password_hash text CHECK (password_hash LIKE '$argon2id$%'),
        ADD COLUMN platform_role text CHECK (platform_role IN ('ADMIN')),
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);

    await runner.query(`
      CREATE TABLE auth.sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        ip text CHECK (length(ip) <= 64),
        user_agent text CHECK (length(user_agent) <= 512),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN (
          'sign_out', 'revoked', 'revoked_all', 'refresh_token_reuse', 'evicted',
          'password_changed', 'password_reset', 'user_status', 'admin')),
        CHECK (expires_at > created_at),
        CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    // Live sessions of a user, oldest first (listing, and evicting past the per-user cap).
    await runner.query(
      `CREATE INDEX sessions_user_live_idx ON auth.sessions (user_id, created_at) WHERE revoked_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX sessions_ip_live_idx ON auth.sessions (ip) WHERE revoked_at IS NULL`,
    );
    // Recently revoked sessions, re-announced to gateways until their access tokens expire.
    await runner.query(
      `CREATE INDEX sessions_revoked_at_idx ON auth.sessions (revoked_at) WHERE revoked_at IS NOT NULL`,
    );
    await grantTableToApp(runner, 'auth.sessions');

    // One row per refresh token ever issued in a session: a used one presented again is
    // reuse, and revokes the whole session (the token family).
    await runner.query(`
      CREATE TABLE auth.refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX refresh_tokens_hash_key ON auth.refresh_tokens (token_hash)`,
    );
    await runner.query(
      `CREATE INDEX refresh_tokens_session_idx ON auth.refresh_tokens (session_id)`,
    );
    await grantTableToApp(runner, 'auth.refresh_tokens');
  }

  private async createEmailTokensAndSigningKeys(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE auth.email_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CHECK (expires_at > created_at)
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX email_tokens_hash_key ON auth.email_tokens (token_hash)`,
    );
    await runner.query(
      `CREATE INDEX email_tokens_user_open_idx ON auth.email_tokens (user_id, purpose) WHERE used_at IS NULL`,
    );
    await grantTableToApp(runner, 'auth.email_tokens');

    // Access-token signing keys. The private key is encrypted with the platform key ring.
    await runner.query(`
      CREATE TABLE auth.signing_keys (
        kid text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
        algorithm text NOT NULL CHECK (algorithm IN ('ES256')),
        public_jwk jsonb NOT NULL,
        private_key_encrypted text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retires_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CHECK (retires_at > created_at AND expires_at >= retires_at)
      )`);
    await runner.query(`CREATE INDEX signing_keys_expires_idx ON auth.signing_keys (expires_at)`);
    await grantTableToApp(runner, 'auth.signing_keys');
  }
}
