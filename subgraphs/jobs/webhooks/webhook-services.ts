import type { Queue } from 'bullmq';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import type { OutboundPolicy } from '../../../platform/outbound/policy';
import type { Resolver } from '../../../platform/outbound/vet-url';

/** What the jobs subgraph builds once for webhook management (see webhook-api.setup.ts). */
export interface WebhookServices {
  /** Encrypts endpoint secrets at rest (aad: the endpoint id). */
  keyRing: KeyRing;
  /** The SSRF policy for endpoint URLs, with the webhook timeout. */
  policy: OutboundPolicy;
  /** http URLs are accepted outside production. */
  allowHttp: boolean;
  maxEndpointsPerTenant: number;
  /** Test sends, replays and manual retries are enqueued here. */
  queue: Queue;
  /** DNS for endpoint URLs (the system's; tests may pin names). */
  resolve?: Resolver;
}
