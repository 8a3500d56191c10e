import { alertRecipientsConfigShape } from '../../../../platform/contracts/observability/alert-recipients';
import { integer, url } from '../../../../platform/config/fields';
import {
  mail,
  requireExplicitMailTransportInProduction,
  requireSmtpUrlForSmtpTransport,
} from '../../../../platform/config/mail';
import { outbound, refuseMetadataCidrsInProduction } from '../../../../platform/config/outbound';

/** The worker's alerting variables: how often rules are evaluated, and how alerts go out. */
export const alertWorkerConfigShape = {
  ALERT_EVALUATION_INTERVAL_SECONDS: integer(30, 1, 3600).describe(
    "The `evaluate-alerts` job scheduler's period.",
  ),
  /** Email alerts: the same transport settings as auth's and tenancy's mail. */
  ...mail,
  /** Besides a tenant's verified members, the addresses its rules may mail. */
  ...alertRecipientsConfigShape,
  /** Webhook alerts: tenants' URLs, reached only through the SSRF-safe client. */
  ...outbound,
  PAGERDUTY_EVENTS_URL: url(['https', 'http'], 'https://events.pagerduty.com/v2/enqueue').describe(
    'Where PagerDuty alert channels send their events (the Events API v2 enqueue endpoint).',
  ),
};

export const alertWorkerConfigRules = [
  requireSmtpUrlForSmtpTransport,
  requireExplicitMailTransportInProduction,
  refuseMetadataCidrsInProduction,
];
