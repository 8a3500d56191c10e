import { z } from 'zod';
import { integer, url } from './fields';
import type { ConfigRule } from './load';

export const MAIL_TRANSPORTS = ['outbox', 'smtp'] as const;
export type MailTransport = (typeof MAIL_TRANSPORTS)[number];

/** `Name <address>` or a bare address; CR/LF can never reach the From header. */
const FROM_PATTERN =
  /^(?:[^\p{Cc}<>"]{1,64} <[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)$/u;

export const mail = {
  // Optional rather than defaulted, so requireExplicitMailTransportInProduction can tell "chose
  // outbox" from "forgot": production must never swallow mail silently.
  MAIL_TRANSPORT: z
    .enum(MAIL_TRANSPORTS, { error: 'must be outbox or smtp' })
    .optional()
    .describe(
      'How mail leaves: `outbox` keeps it as rows in mail.outbox (what tests and developers read), `smtp` sends it through SMTP_URL (docs/mail.md). Unset means `outbox`; production must set it.',
    ),
  SMTP_URL: url(['smtp', 'smtps'])
    .optional()
    .describe(
      'smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start).',
    ),
  MAIL_FROM: z
    .string()
    .regex(FROM_PATTERN, 'must be "Name <address>" or an address')
    .default('Tessera <no-reply@tessera.local>')
    .describe('The sender of every mail.'),
  SMTP_POOL_MAX: integer(5, 1, 50).describe('SMTP connections kept open to the relay.'),
  SMTP_CONNECTION_TIMEOUT_MS: integer(10_000, 100, 120_000).describe(
    'Longest wait to connect to the SMTP relay.',
  ),
  SMTP_GREETING_TIMEOUT_MS: integer(10_000, 100, 120_000).describe(
    "Longest wait for the relay's greeting once connected.",
  ),
  SMTP_SOCKET_TIMEOUT_MS: integer(30_000, 100, 600_000).describe(
    'An SMTP connection idle this long is closed.',
  ),
};

export type MailConfig = z.infer<z.ZodObject<typeof mail>>;

/** The transport a config selects, with the local default applied. */
export function mailTransportOf(config: Pick<MailConfig, 'MAIL_TRANSPORT'>): MailTransport {
  return config.MAIL_TRANSPORT ?? 'outbox';
}

/** The SMTP transport has nowhere to connect without a URL. */
export const requireSmtpUrlForSmtpTransport: ConfigRule<{
  MAIL_TRANSPORT?: MailTransport | undefined;
  SMTP_URL?: string | undefined;
}> = (config) =>
  config.MAIL_TRANSPORT === 'smtp' && !config.SMTP_URL
    ? [{ variable: 'SMTP_URL', message: 'is required when MAIL_TRANSPORT=smtp' }]
    : [];

/**
 * In production the outbox would keep every verification and reset mail in a table nobody
 * reads, so the transport must be chosen on purpose (outbox stays allowed, but explicitly).
 */
export const requireExplicitMailTransportInProduction: ConfigRule<{
  NODE_ENV: string;
  MAIL_TRANSPORT?: MailTransport | undefined;
}> = (config) =>
  config.NODE_ENV === 'production' && config.MAIL_TRANSPORT === undefined
    ? [
        {
          variable: 'MAIL_TRANSPORT',
          message: 'must be set explicitly (outbox or smtp) when NODE_ENV=production',
        },
      ]
    : [];
