import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DATABASE_SERVICES } from '../../db/roles';
import { grantSchemaToApp, grantTableToApp } from '../../db/migration-helpers';

const SENDERS = ['auth', 'tenancy', 'worker'] as const;

/**
 * The outbox transport only inserts: auth (verification, reset), tenancy (invitations) and the
 * worker (alert mail) send mail, and nothing reads or deletes a sent one. The other services
 * lose the schema, and nobody may read the mails (reset links among them) back.
 */
export class NarrowMailOutbox1765004002000 implements MigrationInterface {
  name = 'NarrowMailOutbox1765004002000';

  async up(runner: QueryRunner): Promise<void> {
    await grantSchemaToApp(runner, 'mail', SENDERS);
    await grantTableToApp(runner, 'mail.outbox', 'INSERT', SENDERS);
  }

  async down(runner: QueryRunner): Promise<void> {
    await grantSchemaToApp(runner, 'mail', DATABASE_SERVICES);
    await grantTableToApp(runner, 'mail.outbox', 'SELECT, INSERT, DELETE', DATABASE_SERVICES);
  }
}
