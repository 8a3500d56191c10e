/** What the batcher reads the time from, and arms its linger timer with (tests pass a fake). */
export interface BatcherClock {
  now(): number;
  after(ms: number, fn: () => void): void;
}

const realClock: BatcherClock = {
  now: () => performance.now(),
  after: (ms, fn) => {
    setTimeout(fn, ms).unref();
  },
};

/** How large batches grow, how many run at once, and how long a small one waits for more. */
export interface BatchLimits {
  /** Entries in one batch at most; this many waiting start a batch at once. */
  maxBatch: number;
  /** Batches running at once (each typically holds a pooled connection). */
  maxInFlight: number;
  /** How long a batch smaller than `maxBatch` may wait for more entries (0: it never waits). */
  lingerMs: number;
}

/**
 * Gathers work that arrives in the same turn of the event loop, and while earlier batches are
 * still running, into batches: at most `maxInFlight` batches run at once, and whatever arrives
 * meanwhile waits for the next. BullMQ hands out jobs one at a time as slots free up, so
 * without that wait most batches would hold a single entry.
 *
 * With `lingerMs`, a batch smaller than `maxBatch` also waits until its oldest entry has waited
 * that long (group commit). Busy, nothing lingers: entries pile up behind the batches in flight
 * and have waited long enough by the time a slot frees. Under a light, steady trickle, as when
 * receivers take a few hundred milliseconds to answer, every batch would otherwise hold one
 * entry and pay a whole transaction for it; a few milliseconds gather the entries of a wave,
 * and the waves keep together: the jobs a batch finishes free their slots together, so the
 * next jobs start, load and send together too.
 */
export function createTurnBatcher<T>(
  options: BatchLimits & {
    /** Takes the next batch out of `waiting` (in place), at most `maxBatch`, given it is not empty. */
    take(waiting: T[]): T[];
    /** Runs one batch; it settles each entry's own promise, and must not reject. */
    run(batch: T[]): Promise<void>;
    clock?: BatcherClock;
  },
): (entry: T) => void {
  const { lingerMs, maxBatch } = options;
  const clock = options.clock ?? realClock;
  const waiting: T[] = [];
  /** When the oldest entry waiting arrived. */
  let oldestAt = 0;
  let inFlight = 0;
  let scheduled = false;
  let lingering = false;

  const lingerLeft = () =>
    lingerMs > 0 && waiting.length < maxBatch ? oldestAt + lingerMs - clock.now() : 0;

  const pump = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const left = lingerLeft();
      if (left > 0) {
        if (!lingering) {
          lingering = true;
          clock.after(left, () => {
            lingering = false;
            pump();
          });
        }
        return;
      }
      const batch = options.take(waiting);
      inFlight += 1;
      void options.run(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  return (entry) => {
    if (waiting.length === 0) oldestAt = clock.now();
    waiting.push(entry);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  };
}
