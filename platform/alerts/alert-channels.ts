import { normalizeEmail } from '../mail/address';
import { ValidationError } from '../errors/domain-errors';

/**
 * Where an alert rule sends its alerts, written as strings in the rule (`channels`):
 * - `log`: a warning line in the worker's log;
 * - `email:<address>`: a mail through the platform mailer;
 * - `webhook:<endpoint id>`: a signed POST to one of the tenant's webhook endpoints (tenant
 *   rules only: endpoints belong to tenants, and platform rules have none).
 */
export type AlertChannel =
  { kind: 'log' } | { kind: 'email'; address: string } | { kind: 'webhook'; endpointId: string };

export const MAX_ALERT_CHANNELS = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads one channel string; throws a ValidationError naming the bad one. */
export function parseAlertChannel(value: string): AlertChannel {
  if (value.toLowerCase() === 'log') return { kind: 'log' };
  const colon = value.indexOf(':');
  const kind = colon > 0 ? value.slice(0, colon).toLowerCase() : '';
  const target = value.slice(colon + 1);
  if (kind === 'email') {
    return { kind: 'email', address: normalizeEmail(target, 'channels') };
  }
  if (kind === 'webhook' && UUID.test(target)) {
    return { kind: 'webhook', endpointId: target.toLowerCase() };
  }
  throw new ValidationError(
    `"${value.slice(0, 80)}" is not a channel: use log, email:<address> or webhook:<endpoint id>`,
    { field: 'channels' },
  );
}

/** The canonical spelling of a channel, as stored. */
export function formatAlertChannel(channel: AlertChannel): string {
  switch (channel.kind) {
    case 'log':
      return 'log';
    case 'email':
      return `email:${channel.address}`;
    case 'webhook':
      return `webhook:${channel.endpointId}`;
  }
}

/** The channel's kind only, for metric labels (never the address or the endpoint). */
export function channelKind(value: string): AlertChannel['kind'] | 'unknown' {
  if (value === 'log') return 'log';
  if (value.startsWith('email:')) return 'email';
  if (value.startsWith('webhook:')) return 'webhook';
  return 'unknown';
}
