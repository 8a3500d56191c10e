import type { PublishedEvent } from '../../../platform/events/channel';

/**
 * Called by the relay with each batch after publishing it to Redis and before marking it
 * published, so fan-out is at least once like the publish itself: a batch whose hook throws
 * is not marked, and the relay retries it (publishing it again). Implementations must
 * therefore be idempotent, e.g. BullMQ jobs with a deterministic id per (endpoint, event).
 */
export type WebhookFanOut = (events: readonly PublishedEvent[]) => Promise<void>;

/** The default for a relay given no fan-out: it publishes and enqueues nothing. */
export const noWebhookFanOut: WebhookFanOut = () => Promise.resolve();
