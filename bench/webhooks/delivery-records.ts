import { Client } from 'pg';
import type { TestDatabase } from '../../testing/database';

const RECORD_TIMEOUT_MS = 120_000;
const POLL_MS = 50;

const COUNTS_SQL = `
  SELECT count(a.id)::int AS attempts,
         count(a.id) FILTER (WHERE a.status_code IS NULL
                                OR a.status_code NOT BETWEEN 200 AND 299)::int AS failed,
         count(DISTINCT d.id) FILTER (WHERE d.status <> 'SUCCEEDED')::int AS unfinished,
         count(DISTINCT d.id)::int AS deliveries
    FROM jobs.webhook_deliveries d
    LEFT JOIN jobs.webhook_attempts a ON a.delivery_id = d.id
   WHERE d.endpoint_id = $1`;

interface Counts {
  attempts: number;
  failed: number;
  unfinished: number;
  deliveries: number;
}

export interface RecordWatcher {
  /** The watcher's PostgreSQL backend, left out of the run's database CPU. */
  pid: number;
  /**
   * Waits until the endpoint's attempt log holds `expected` attempts, and counts what went
   * wrong: deliveries not SUCCEEDED, attempts without a 2xx, attempts beyond one per delivery
   * (a delivery sent twice), deliveries more or fewer than expected. Answers when all were seen.
   */
  waitFor(endpointId: string, expected: number): Promise<{ at: number; errors: number }>;
  close(): Promise<void>;
}

/** One connection that polls the attempt log (not one connection per poll). */
export async function watchRecords(db: TestDatabase): Promise<RecordWatcher> {
  const client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    pid,
    waitFor: async (endpointId, expected) => {
      const deadline = Date.now() + RECORD_TIMEOUT_MS;
      for (;;) {
        const row = (await client.query<Counts>(COUNTS_SQL, [endpointId])).rows[0]!;
        const at = Date.now();
        if (row.attempts >= expected && row.unfinished === 0) {
          const extra = row.attempts - row.deliveries;
          return { at, errors: row.failed + extra + Math.abs(row.deliveries - expected) };
        }
        if (at > deadline) {
          throw new Error(
            `only ${row.attempts} of ${expected} attempts recorded within ${RECORD_TIMEOUT_MS} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    close: () => client.end(),
  };
}
