import { integer } from '../../../../platform/config/fields';

/** How the worker sends the durable mail outbox (MAIL_TRANSPORT=smtp). */
export const mailWorkerConfigShape = {
  MAIL_DRAIN_INTERVAL_MS: integer(2_000, 100, 600_000).describe(
    'How often pending mails are handed to the `mail` queue.',
  ),
  MAIL_SEND_ATTEMPTS: integer(10, 1, 50).describe(
    'Tries per mail before it fails for good (a dead letter of the `mail` queue).',
  ),
  MAIL_SEND_BACKOFF_MS: integer(5_000, 10, 3_600_000).describe(
    "The first retry's delay; each next one doubles it.",
  ),
};
