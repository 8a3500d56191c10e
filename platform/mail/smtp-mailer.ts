import { createTransport } from 'nodemailer';
import type { MailConfig } from '../config/mail';
import { validateMailMessage, type ClosableMailer } from './mailer';

export type SmtpMailerConfig = Pick<
  MailConfig,
  | 'MAIL_FROM'
  | 'SMTP_POOL_MAX'
  | 'SMTP_CONNECTION_TIMEOUT_MS'
  | 'SMTP_GREETING_TIMEOUT_MS'
  | 'SMTP_SOCKET_TIMEOUT_MS'
> & { SMTP_URL: string };

/** A message the SMTP server did not accept, or never got: unreachable, timed out, refused. */
export class MailDeliveryError extends Error {
  constructor(
    readonly kind: string,
    /** Nodemailer's code (ECONNECTION, ETIMEDOUT, EENVELOPE, EMESSAGE, ...), when it gave one. */
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(
      `SMTP delivery of a ${kind} mail failed${code ? ` (${code})` : ''}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = 'MailDeliveryError';
  }
}

/**
 * Sends through an SMTP relay over a small connection pool. Every phase has a timeout, so an
 * unreachable or silent server fails the send instead of holding a request open.
 */
export function createSmtpMailer(config: SmtpMailerConfig): ClosableMailer {
  const transport = createTransport(
    {
      url: config.SMTP_URL,
      pool: true,
      maxConnections: config.SMTP_POOL_MAX,
      connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeout: config.SMTP_GREETING_TIMEOUT_MS,
      socketTimeout: config.SMTP_SOCKET_TIMEOUT_MS,
      // A message that lost its connection mid-send is retried once on a new one; more would
      // multiply the configured timeouts before the caller hears about a dead server.
      maxRequeues: 1,
      // Our messages are plain strings; never let a value be read as a file path or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: config.MAIL_FROM },
  );

  return {
    async send(message) {
      const { to, subject, text, html, kind } = validateMailMessage(message);
      try {
        await transport.sendMail({
          to,
          subject,
          text,
          ...(html === undefined ? {} : { html }),
          headers: { 'X-Tessera-Mail-Kind': kind },
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new MailDeliveryError(kind, typeof code === 'string' ? code : undefined, error);
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
