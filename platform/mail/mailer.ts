import { ValidationError } from '../errors/domain-errors';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What the mail is for, e.g. `auth.verify_email`: for logs, metrics and tests, never shown. */
  kind: string;
}

/** Anything that runs SQL: a data source, or a transaction's entity manager. */
export interface MailSqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Sends one message to one recipient; rejects when the transport could not take it. A
 * transport that writes rows (outbox, durable) writes them with `db` when given: the caller's
 * transaction, so the mail is kept exactly when the action that causes it commits.
 */
export interface Mailer {
  send(message: MailMessage, db?: MailSqlRunner): Promise<void>;
}

/** A mailer that holds connections; `close` lets a draining process release them. */
export interface ClosableMailer extends Mailer {
  close(): Promise<void>;
}

export const MAIL_LIMITS = {
  /** RFC 5321: 64 for the local part, 254 for the whole path. */
  recipientChars: 254,
  subjectChars: 255,
  bodyBytes: 256 * 1024,
  kindChars: 64,
} as const;

/**
 * One plain ASCII address, nothing else: no display name, no list, no comments, no
 * whitespace. That is what our own code sends to, and it leaves no room for a second
 * recipient or a smuggled header.
 */
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const KIND = /^[a-z_]+(\.[a-z_]+)+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/**
 * Checks a message before any transport sees it. Header values with CR/LF are refused rather
 * than encoded: a newline in a subject or recipient is always a bug or an attack upstream.
 */
export function validateMailMessage(message: MailMessage): MailMessage {
  const { to, subject, text, html, kind } = message;
  if (typeof to !== 'string' || CONTROL.test(to) || to.length > MAIL_LIMITS.recipientChars)
    throw new ValidationError('Mail recipient is not a single valid address', { field: 'to' });
  const [local = ''] = to.split('@');
  if (!ADDRESS.test(to) || local.length > 64)
    throw new ValidationError('Mail recipient is not a single valid address', { field: 'to' });
  if (typeof subject !== 'string' || CONTROL.test(subject))
    throw new ValidationError('Mail subject must be one line without control characters', {
      field: 'subject',
    });
  if (subject.trim().length === 0 || subject.length > MAIL_LIMITS.subjectChars)
    throw new ValidationError(`Mail subject must be 1..${MAIL_LIMITS.subjectChars} characters`, {
      field: 'subject',
    });
  if (typeof text !== 'string' || text.length === 0)
    throw new ValidationError('Mail text body is required', { field: 'text' });
  if (text.includes('\u0000') || html?.includes('\u0000'))
    throw new ValidationError('Mail body contains a NUL character', { field: 'text' });
  if (Buffer.byteLength(text, 'utf8') > MAIL_LIMITS.bodyBytes)
    throw new ValidationError(`Mail text body exceeds ${MAIL_LIMITS.bodyBytes} bytes`, {
      field: 'text',
    });
  if (
    html !== undefined &&
    (typeof html !== 'string' || Buffer.byteLength(html, 'utf8') > MAIL_LIMITS.bodyBytes)
  )
    throw new ValidationError(`Mail HTML body exceeds ${MAIL_LIMITS.bodyBytes} bytes`, {
      field: 'html',
    });
  if (typeof kind !== 'string' || kind.length > MAIL_LIMITS.kindChars || !KIND.test(kind))
    throw new ValidationError('Mail kind must look like "area.purpose"', { field: 'kind' });
  return message;
}
