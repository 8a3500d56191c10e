import { z } from 'zod';
import { integer, url } from './fields';
import type { ConfigRule } from './load';

export const MAIL_TRANSPORTS = ['outbox', 'smtp'] as const;
export type MailTransport = (typeof MAIL_TRANSPORTS)[number];

/** `Name <address>` or a bare address; CR/LF can never reach the From header. */
const FROM_PATTERN =
  /^(?:[^\p{Cc}<>"]{1,64} <[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)$/u;

export const mail = {
  /**
   * Unset means `outbox` (rows in mail.outbox that tests and developers read). It stays
   * optional rather than defaulted so {@link requireExplicitMailTransportInProduction} can
   * tell "chose outbox" from "forgot": production must never swallow mail silently.
   */
  MAIL_TRANSPORT: z.enum(MAIL_TRANSPORTS, { error: 'must be outbox or smtp' }).optional(),
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start). */
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  MAIL_FROM: z
    .string()
    .regex(FROM_PATTERN, 'must be "Name <address>" or an address')
    .default('Tessera <no-reply@tessera.local>'),
  SMTP_POOL_MAX: integer(5, 1, 50),
  SMTP_CONNECTION_TIMEOUT_MS: integer(10_000, 100, 120_000),
  SMTP_GREETING_TIMEOUT_MS: integer(10_000, 100, 120_000),
  SMTP_SOCKET_TIMEOUT_MS: integer(30_000, 100, 600_000),
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
