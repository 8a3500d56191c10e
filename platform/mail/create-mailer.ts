import { mailTransportOf, type MailConfig } from '../config/mail';
import type { KeyRing } from '../crypto/key-ring';
import { createDurableMailer } from './durable-mailer';
import type { ClosableMailer } from './mailer';
import { createOutboxMailer, type SqlRunner } from './outbox-mailer';
import { createSmtpMailer } from './smtp-mailer';

/**
 * The mailer the config selects. `db` is only used by the outbox transport; config rules
 * (requireSmtpUrlForSmtpTransport) already refused smtp without a URL at start.
 */
export function createMailer(config: MailConfig, db: SqlRunner): ClosableMailer {
  switch (mailTransportOf(config)) {
    case 'outbox':
      return createOutboxMailer(db);
    case 'smtp':
      if (!config.SMTP_URL) throw new Error('SMTP_URL is required when MAIL_TRANSPORT=smtp');
      return createSmtpMailer({ ...config, SMTP_URL: config.SMTP_URL });
  }
}

/**
 * The mailer of transactional mail (auth's verification and reset, tenancy's invitations):
 * the outbox table in development, and with smtp the durable outbox the worker sends from
 * with retries, never a send on the request's path.
 */
export function createTransactionalMailer(
  config: MailConfig,
  db: SqlRunner,
  keyRing: KeyRing,
): ClosableMailer {
  return mailTransportOf(config) === 'smtp'
    ? createDurableMailer(db, keyRing)
    : createOutboxMailer(db);
}
