import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantTableToApp } from '../../db/migration-helpers';
import { serviceRole } from '../../db/roles';

/**
 * The durable outbox of transactional mail sent over SMTP: auth (verification, password reset)
 * and tenancy (invitations) insert a row in the transaction of the action that causes the
 * mail, and the worker's `mail` queue sends it, with retries, backoff and dead letters. The
 * body (reset and invitation tokens among it) is a key ring envelope, blanked once the mail
 * is sent or has failed for good; recipient and subject stay for the record.
 */
export class CreateMailDeliveries1766004001000 implements MigrationInterface {
  name = 'CreateMailDeliveries1766004001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE mail.deliveries (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind ~ '^[a-z_]+(\\.[a-z_]+)+$' AND length(kind) <= 64),
        recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
        body_ciphertext text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text CHECK (length(last_error) <= 500),
        enqueued_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CHECK (status = 'pending' OR body_ciphertext IS NULL),
        CHECK (status <> 'pending' OR body_ciphertext IS NOT NULL)
      )`);
    // The drain reads the pending rows oldest first; sent and dead ones stay out of it.
    await runner.query(
      `CREATE INDEX deliveries_pending_idx ON mail.deliveries (created_at) WHERE status = 'pending'`,
    );
    await grantTableToApp(runner, 'mail.deliveries', 'INSERT', ['auth', 'tenancy']);
    await runner.query(
      `GRANT SELECT, INSERT, UPDATE ON mail.deliveries TO ${serviceRole('worker')}`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE mail.deliveries`);
  }
}
