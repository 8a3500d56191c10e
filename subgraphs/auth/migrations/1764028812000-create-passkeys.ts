import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantTableToApp } from '../../../platform/db/migration-helpers';

/**
 * WebAuthn credentials (passkeys). Users are global, so are their passkeys: no tenant column,
 * no row-level security, like sessions. The credential id is unique across all users, since an
 * assertion names only the credential and the owner is found from it.
 */
export class CreatePasskeys1764028812000 implements MigrationInterface {
  name = 'CreatePasskeys1764028812000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE auth.passkeys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        credential_id text NOT NULL CHECK (
          credential_id ~ '^[A-Za-z0-9_-]+$' AND length(credential_id) BETWEEN 22 AND 1364),
        public_key bytea NOT NULL CHECK (octet_length(public_key) BETWEEN 32 AND 2048),
        counter bigint NOT NULL DEFAULT 0 CHECK (counter BETWEEN 0 AND 4294967295),
        transports text[] NOT NULL DEFAULT '{}' CHECK (
          cardinality(transports) <= 8 AND
          transports <@ ARRAY['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']),
        name text CHECK (length(name) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX passkeys_credential_id_key ON auth.passkeys (credential_id)`,
    );
    // A user's passkeys, oldest first (listing, excludeCredentials, the per-user cap).
    await runner.query(`CREATE INDEX passkeys_user_idx ON auth.passkeys (user_id, created_at)`);
    await grantTableToApp(runner, 'auth.passkeys');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE auth.passkeys`);
  }
}
