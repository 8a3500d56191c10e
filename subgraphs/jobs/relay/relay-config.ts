import { integer } from '../../../platform/config/fields';

/** The relay's variables, read by the worker process with the rest of its config. */
export const relayConfigShape = {
  RELAY_POLL_MS: integer(1_000, 50, 60_000).describe(
    'How often the active relay looks for events when no NOTIFY woke it (the fallback).',
  ),
  RELAY_BATCH_SIZE: integer(500, 1, 10_000).describe(
    'Events read, published and marked per round trip.',
  ),
  RELAY_LOCK_RETRY_MS: integer(2_000, 100, 60_000).describe(
    'How often a standby relay tries to take the lock (and how long a failed one waits).',
  ),
};
