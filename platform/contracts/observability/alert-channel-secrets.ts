import { ValidationError } from '../../errors/domain-errors';
import type { OutboundPolicy } from '../../outbound/policy';
import type { Resolver } from '../../outbound/vet-url';
import { validateWebhookUrl } from '../../outbound/webhook-url';
import type { AlertChannelKind } from './alert-channel.repository';

/** PagerDuty's integration (routing) keys are 32 characters of letters and digits. */
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

export interface ChannelSecretOptions {
  /** http as well as https (never in production). */
  allowHttp: boolean;
  policy: OutboundPolicy;
  resolve?: Resolver;
}

/**
 * Checks the secret of a new channel and returns it normalized. A Slack webhook URL is
 * checked like a webhook endpoint's (https, no credentials, every address of its host allowed
 * by the SSRF filter now; the send checks again); a PagerDuty routing key has its fixed shape.
 * Errors are BAD_USER_INPUT on `secret`, never echoing it.
 */
export async function validateChannelSecret(
  kind: AlertChannelKind,
  secret: string,
  options: ChannelSecretOptions,
): Promise<string> {
  if (kind === 'SLACK') return validateWebhookUrl(secret, { ...options, field: 'secret' });
  const key = secret.trim();
  if (!ROUTING_KEY.test(key)) {
    throw new ValidationError('secret must be a PagerDuty routing key: 32 letters and digits', {
      field: 'secret',
    });
  }
  return key;
}

/**
 * What a client sees of a secret: enough to tell two channels apart, too little to use. A
 * Slack URL shows its host and the last 4 characters of its path; a routing key its last 4.
 */
export function maskChannelSecret(kind: AlertChannelKind, secret: string): string {
  if (kind === 'PAGERDUTY') return `…${secret.slice(-4)}`;
  const url = new URL(secret);
  return `${url.host}/…${url.pathname.slice(-4)}`;
}
