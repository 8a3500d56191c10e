import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOwnedSchema, grantTableToApp } from '../../../platform/db/migration-helpers';

export class CreateUsers1764028800000 implements MigrationInterface {
  name = 'CreateUsers1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await createOwnedSchema(runner, 'auth');
    await runner.query(`
      CREATE TABLE auth.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        display_name text CHECK (length(display_name) <= 100),
        email_verified boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DEACTIVATED', 'BANNED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX users_email_key ON auth.users (email)`);
    await grantTableToApp(runner, 'auth.users');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE auth.users`);
    await runner.query(`DROP SCHEMA auth`);
  }
}
