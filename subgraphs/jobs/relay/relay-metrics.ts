import { Counter, Gauge, type Registry } from 'prom-client';

export interface RelayMetrics {
  published: Counter;
  active: Gauge;
  lockAttempts: Counter;
}

/**
 * The relay's metrics, on the worker's registry. Every worker exports them; only the lock
 * holder reports lag, standbys report 0, so dashboards read `max(tessera_relay_lag_seconds)`
 * and `sum(tessera_relay_active)` (1 in a healthy deployment, 0 means nobody publishes).
 *
 * Lag is read when scraped (`readLag`), not in the publishing loop: it is a scan of the
 * unpublished events, which every round would otherwise pay once more for a figure nobody
 * reads between scrapes.
 */
export function createRelayMetrics(
  registry: Registry,
  readLag: () => Promise<number>,
): RelayMetrics {
  new Gauge({
    name: 'tessera_relay_lag_seconds',
    help: 'Age of the oldest unpublished journal event (0 when none waits, and on standbys).',
    registers: [registry],
    async collect() {
      try {
        this.set(await readLag());
      } catch {
        // A scrape while the database is away keeps the last reading rather than failing.
      }
    },
  });
  return {
    published: new Counter({
      name: 'tessera_relay_events_published_total',
      help: 'Journal events this relay published to Redis (again after a takeover: at least once).',
      registers: [registry],
    }),
    active: new Gauge({
      name: 'tessera_relay_active',
      help: '1 while this process holds the relay lock and publishes the journal, else 0.',
      registers: [registry],
    }),
    lockAttempts: new Counter({
      name: 'tessera_relay_lock_attempts_total',
      help: 'Tries to take the relay lock: a standby that is alive keeps counting.',
      registers: [registry],
    }),
  };
}
