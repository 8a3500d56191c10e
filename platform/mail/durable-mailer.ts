import { randomUUID } from 'node:crypto';
import type { KeyRing } from '../crypto/key-ring';
import { MailDeliveryRepository } from './mail-delivery.repository';
import { validateMailMessage, type ClosableMailer, type MailMessage } from './mailer';
import type { SqlRunner } from './outbox-mailer';

/** What the envelope of a durable mail holds. */
export interface MailBody {
  text: string;
  html?: string;
}

/**
 * The SMTP transport of auth and tenancy: a mail is a row of mail.deliveries, written with the
 * `db` the caller passes (its transaction), so the mail exists exactly when the action that
 * causes it commits. The worker sends it (subgraphs/jobs/worker/mail/). The body is encrypted
 * with the key ring: a reset link must not sit readable in a table.
 */
export function createDurableMailer(pool: SqlRunner, keyRing: KeyRing): ClosableMailer {
  return {
    async send(message: MailMessage, db: SqlRunner = pool) {
      const { to, subject, text, html, kind } = validateMailMessage(message);
      const id = randomUUID();
      const body: MailBody = html === undefined ? { text } : { text, html };
      await new MailDeliveryRepository(db).insert({
        id,
        kind,
        recipient: to,
        subject,
        bodyCiphertext: keyRing.encrypt(JSON.stringify(body), id),
      });
    },
    // The rows live in the caller's pool, which its owner closes.
    close: async () => {},
  };
}
