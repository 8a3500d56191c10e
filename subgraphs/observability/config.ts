import type { z } from 'zod';
import { alertRecipientsConfigShape } from '../../platform/contracts/observability/alert-recipients';
import {
  encryption,
  refuseDevelopmentEncryptionKeyInProduction,
} from '../../platform/config/encryption';
import { integer, url } from '../../platform/config/fields';
import { outbound, refuseMetadataCidrsInProduction } from '../../platform/config/outbound';
import { MIN_AUDIT_RETENTION_DAYS } from './migrations/1766005001000-add-audit-trail-functions';
import type { SubgraphConfig } from '../../platform/subgraph/subgraph-service';

const httpUrl = (fallback: string) => url(['http', 'https'], fallback);
/** The same defaults as the gateway's and the worker's (platform/schema/compose.ts). */
const subgraphUrl = (port: number) => httpUrl(`http://127.0.0.1:${port}/graphql`);

/**
 * The observability subgraph's own variables: where the other processes are (their `/readyz`
 * for `health`, their `/metrics` for the alert evaluator, tenancy and auth for tenant statuses
 * and alert recipients), and how long to wait for them.
 */
export const observabilityConfigShape = {
  GATEWAY_INTERNAL_URL: httpUrl('http://127.0.0.1:4000').describe(
    'The gateway, whose `/readyz` `health` probes and whose `/metrics` alert rules read (metrics port).',
  ),
  SUBGRAPH_AUTH_URL: subgraphUrl(4001).describe(
    "The auth subgraph's URL, as the gateway names it; probes go to its origin.",
  ),
  SUBGRAPH_TENANCY_URL: subgraphUrl(4002).describe(
    "The tenancy subgraph's URL, as the gateway names it; probes go to its origin.",
  ),
  SUBGRAPH_ASSETS_URL: subgraphUrl(4003).describe(
    "The assets subgraph's URL, as the gateway names it; probes go to its origin.",
  ),
  SUBGRAPH_JOBS_URL: subgraphUrl(4004).describe(
    "The jobs subgraph's URL, as the gateway names it; probes go to its origin.",
  ),
  WORKER_INTERNAL_URL: httpUrl('http://127.0.0.1:4006').describe(
    'The worker, probed the same way (the subgraphs are found at `SUBGRAPH_<NAME>_URL`).',
  ),
  PROBE_TIMEOUT_MS: integer(1_500, 100, 10_000).describe(
    'One probe of another process (`/readyz`, `/metrics`) gives up after this.',
  ),
  ALERT_DISPATCH_ATTEMPTS: integer(5, 1, 25).describe(
    'Tries per alert notification (channel) before it fails for good into the dead letters.',
  ),
  ALERT_DISPATCH_BACKOFF_MS: integer(5_000, 100, 3_600_000).describe(
    "The first retry's delay; each next one doubles it.",
  ),
  AUDIT_RETENTION_DAYS: integer(365, MIN_AUDIT_RETENTION_DAYS, 36_500).describe(
    'How long audit entries are kept, for every tenant alike (tenants cannot shorten it); the retention function refuses less than its floor whatever it is told.',
  ),
  AUDIT_RECORD_INTERVAL_MS: integer(1_000, 50, 60_000).describe(
    "How often the journal's new audited events are copied into the audit trail.",
  ),
  AUDIT_EXPORT_MAX_DAYS: integer(31, 1, 366).describe(
    'The longest date range one audit export may cover.',
  ),
  AUDIT_EXPORT_PUBLIC_URL: url(['http', 'https'])
    .optional()
    .describe(
      "The origin clients reach `/audit-exports/` on (the gateway's public URL); without it export URLs are paths, resolved against the gateway that answered the query.",
    ),
  AUDIT_EXPORT_URL_TTL_SECONDS: integer(300, 10, 3_600).describe(
    "How long an audit export's signed URL works.",
  ),
  /** Besides a tenant's verified members, the addresses its rules may mail. */
  ...alertRecipientsConfigShape,
  /** Slack webhook URLs and PagerDuty routing keys of alert channels are encrypted at rest. */
  ...encryption,
  /** A Slack channel's URL is checked against the SSRF filter when it is saved. */
  ...outbound,
};

export const observabilityConfigRules = [
  refuseDevelopmentEncryptionKeyInProduction,
  refuseMetadataCidrsInProduction,
];

export type ObservabilityConfig = SubgraphConfig &
  z.infer<z.ZodObject<typeof observabilityConfigShape>>;

/** A process the observability service watches, by name and base URL (its origin). */
export interface ProcessTarget {
  name: string;
  url: string;
}

/**
 * Every other process, in a fixed order: this one is not probed over HTTP, its own checks
 * run in process.
 */
export function processTargets(config: ObservabilityConfig): ProcessTarget[] {
  return [
    { name: 'gateway', url: config.GATEWAY_INTERNAL_URL },
    { name: 'auth', url: config.SUBGRAPH_AUTH_URL },
    { name: 'tenancy', url: config.SUBGRAPH_TENANCY_URL },
    { name: 'assets', url: config.SUBGRAPH_ASSETS_URL },
    { name: 'jobs', url: config.SUBGRAPH_JOBS_URL },
    { name: 'worker', url: config.WORKER_INTERNAL_URL },
  ].map(({ name, url }) => ({ name, url: new URL(url).origin }));
}
