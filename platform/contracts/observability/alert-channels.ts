import { normalizeEmail } from '../../mail/address';
import { ValidationError } from '../../errors/domain-errors';

/**
 * Where an alert rule sends its alerts, written as strings in the rule (`channels`):
 * - `log`: a warning line in the worker's log;
 * - `email:<address>`: a mail through the platform mailer;
 * - `webhook:<endpoint id>`: a signed POST to one of the tenant's webhook endpoints (tenant
 *   rules only: endpoints belong to tenants, and platform rules have none);
 * - `slack:<alert channel id>`: a message to a Slack incoming webhook;
 * - `pagerduty:<alert channel id>`: a PagerDuty Events API v2 trigger, and its resolve.
 *   Both name an alert channel of the rule's owner (observability.alert_channels), which holds
 *   the webhook URL or routing key encrypted: the rule never carries the secret.
 */
export type AlertChannel =
  | { kind: 'log' }
  | { kind: 'email'; address: string }
  | { kind: 'webhook'; endpointId: string }
  | { kind: SecretChannelKind; channelId: string };

/** The channels whose target is a stored secret (an alert channel), by their rule prefix. */
export const SECRET_CHANNEL_KINDS = ['slack', 'pagerduty'] as const;
export type SecretChannelKind = (typeof SECRET_CHANNEL_KINDS)[number];

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
  if (isSecretChannelKind(kind) && UUID.test(target)) {
    return { kind, channelId: target.toLowerCase() };
  }
  throw new ValidationError(
    `"${value.slice(0, 80)}" is not a channel: use log, email:<address>, webhook:<endpoint id>, ` +
      'slack:<alert channel id> or pagerduty:<alert channel id>',
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
    case 'slack':
    case 'pagerduty':
      return `${channel.kind}:${channel.channelId}`;
  }
}

function isSecretChannelKind(kind: string): kind is SecretChannelKind {
  return (SECRET_CHANNEL_KINDS as readonly string[]).includes(kind);
}

/** The channel's kind only, for metric labels (never the address or the endpoint). */
export function channelKind(value: string): AlertChannel['kind'] | 'unknown' {
  if (value === 'log') return 'log';
  if (value.startsWith('email:')) return 'email';
  if (value.startsWith('webhook:')) return 'webhook';
  if (value.startsWith('slack:')) return 'slack';
  if (value.startsWith('pagerduty:')) return 'pagerduty';
  return 'unknown';
}
