import { validateMailMessage, type ClosableMailer, type MailSqlRunner } from './mailer';

/** Anything that runs SQL: a data source, or a transaction's entity manager. */
export type SqlRunner = MailSqlRunner;

/**
 * The development and test transport: each message becomes a row in `mail.outbox`, where
 * tests read the link a verification mail carries and developers see what would have gone out.
 */
export function createOutboxMailer(pool: SqlRunner): ClosableMailer {
  return {
    async send(message, db = pool) {
      const { to, subject, text, html, kind } = validateMailMessage(message);
      await db.query(
        `INSERT INTO mail.outbox (kind, recipient, subject, body_text, body_html)
         VALUES ($1, $2, $3, $4, $5)`,
        [kind, to, subject, text, html ?? null],
      );
    },
    // The rows live in the caller's pool, which its owner closes.
    close: async () => {},
  };
}
