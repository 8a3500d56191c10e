import { Counter, Gauge, type Registry } from 'prom-client';

export interface MailMetrics {
  /** Pending mails of the durable outbox, as the last drain counted them. */
  depth: Gauge;
  sent: Counter;
  /** `retry`: an attempt failed and another follows; `dead`: the last one failed. */
  failed: Counter<'outcome'>;
}

export function mailMetrics(registry: Registry): MailMetrics {
  return {
    depth: new Gauge({
      name: 'tessera_mail_outbox_depth',
      help: 'Mails of the durable outbox waiting to be sent (counted at each drain).',
      registers: [registry],
    }),
    sent: new Counter({
      name: 'tessera_mail_sent_total',
      help: 'Mails of the durable outbox the SMTP server accepted.',
      registers: [registry],
    }),
    failed: new Counter({
      name: 'tessera_mail_failed_total',
      help: 'Failed attempts to send a mail of the durable outbox, by outcome (retry or dead).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
