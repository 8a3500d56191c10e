import { mailTransportOf, type MailConfig } from '../config/mail';
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
