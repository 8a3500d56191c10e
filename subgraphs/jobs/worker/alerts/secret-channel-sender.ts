import type { DataSource } from 'typeorm';
import { AlertChannelRepository } from '../../../../platform/contracts/observability/alert-channel.repository';
import { type SecretChannelKind } from '../../../../platform/contracts/observability/alert-channels';
import { type AlertDispatchJob } from '../../../../platform/contracts/observability/alert-dispatch-job';
import { DecryptionError, type KeyRing } from '../../../../platform/crypto/key-ring';
import { scopeOf } from '../../../../platform/db/scope';
import { OutboundRequestError } from '../../../../platform/outbound/errors';
import { safeFetch } from '../../../../platform/outbound/safe-fetch';
import { systemResolver, type Resolver } from '../../../../platform/outbound/vet-url';
import { type OutboundPolicy } from '../../../../platform/outbound/policy';
import { PublicJobError } from '../job-failure';
import { PermanentDispatchError } from './alert-dispatch.processor';
import { pagerDutyEvent, slackMessage } from './alert-channel-messages';

/** Sends one alert notification to a Slack or PagerDuty alert channel of its owner. */
export interface SecretChannelSender {
  send(notification: AlertDispatchJob, kind: SecretChannelKind, channelId: string): Promise<void>;
}

export interface SecretChannelSenderDeps {
  dataSource: DataSource;
  keyRing: KeyRing;
  /** The SSRF filter: both go out through safeFetch, Slack's URL being the tenant's choice. */
  policy: OutboundPolicy;
  /** PAGERDUTY_EVENTS_URL: the Events API v2 enqueue endpoint. */
  pagerDutyEventsUrl: string;
  resolve?: Resolver;
}

/** A refusal no retry can mend: the target does not exist, or will refuse it again. */
const PERMANENT_OUTBOUND = new Set(['invalid-url', 'blocked-address']);

/**
 * Reads the channel in its owner's transaction (row-level security: a rule can only reach its
 * own owner's channels), decrypts the secret, and posts the message. A missing channel, a
 * secret that no longer decrypts, a refused address or a 4xx answer (but 408 and 429) fail
 * for good; anything else throws for BullMQ to retry with backoff. Errors never carry the
 * secret: the Slack URL's path and the routing key stay out of every message.
 */
export function secretChannelSender(deps: SecretChannelSenderDeps): SecretChannelSender {
  return {
    async send(notification, kind, channelId) {
      const channel = await scopeOf(deps.dataSource, notification.tenantId).run((manager) =>
        new AlertChannelRepository(manager).findById(channelId),
      );
      if (!channel || channel.kind.toLowerCase() !== kind) {
        throw new PermanentDispatchError(`${kind} alert channel ${channelId} does not exist`);
      }
      let secret: string;
      try {
        secret = deps.keyRing.decrypt(channel.secretCiphertext, channel.id);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        throw new PermanentDispatchError(`the secret of alert channel ${channelId} is unreadable`);
      }
      const [url, body] =
        kind === 'slack'
          ? [secret, slackMessage(notification)]
          : [deps.pagerDutyEventsUrl, pagerDutyEvent(notification, secret)];
      await post(url, JSON.stringify(body), kind, deps);
    },
  };
}

async function post(
  url: string,
  body: string,
  kind: SecretChannelKind,
  deps: SecretChannelSenderDeps,
): Promise<void> {
  const service = kind === 'slack' ? 'Slack' : 'PagerDuty';
  let status: number;
  try {
    ({ status } = await safeFetch(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      deps.policy,
      deps.resolve ?? systemResolver,
    ));
  } catch (error) {
    if (!(error instanceof OutboundRequestError)) throw error;
    // Its message names the origin at most, never the path that holds Slack's secret.
    const message = `${service} could not be reached (${error.reason}): ${error.message}`;
    if (PERMANENT_OUTBOUND.has(error.reason)) throw new PermanentDispatchError(message);
    throw new PublicJobError(message, { cause: error });
  }
  if (status >= 200 && status < 300) return;
  const message = `${service} answered ${status}`;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw new PermanentDispatchError(message);
  }
  throw new PublicJobError(message);
}
