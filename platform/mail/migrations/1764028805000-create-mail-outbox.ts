import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createSharedSchema, grantTableToApp } from '../../db/migration-helpers';
import { DATABASE_SERVICES } from '../../db/roles';

export class CreateMailOutbox1764028805000 implements MigrationInterface {
  name = 'CreateMailOutbox1764028805000';

  async up(runner: QueryRunner): Promise<void> {
    await createSharedSchema(runner, 'mail', DATABASE_SERVICES);
    // Not tenant-owned: mail goes to people (sign-up, password reset) before any tenant exists.
    await runner.query(`
      CREATE TABLE mail.outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind ~ '^[a-z_]+(\\.[a-z_]+)+$' AND length(kind) <= 64),
        recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
        body_text text NOT NULL,
        body_html text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Tests and developers look up the newest mails sent to one address.
    await runner.query(
      `CREATE INDEX outbox_recipient_created_idx ON mail.outbox (recipient, created_at DESC)`,
    );
    // DELETE is for the purge of old rows that comes later; nothing updates a sent mail.
    await grantTableToApp(runner, 'mail.outbox', 'SELECT, INSERT, DELETE', DATABASE_SERVICES);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE mail.outbox`);
    await runner.query(`DROP SCHEMA mail`);
  }
}
