/**
 * Gathers work that arrives in the same turn of the event loop, and while earlier batches are
 * still running, into batches: at most `maxInFlight` batches run at once, and whatever arrives
 * meanwhile waits for the next. BullMQ hands out jobs one at a time as slots free up, so
 * without that wait most batches would hold a single entry.
 */
export function createTurnBatcher<T>(options: {
  /** Batches running at once (each typically holds a pooled connection). */
  maxInFlight: number;
  /** Takes the next batch out of `waiting` (in place), given that it is not empty. */
  take(waiting: T[]): T[];
  /** Runs one batch; it settles each entry's own promise, and must not reject. */
  run(batch: T[]): Promise<void>;
}): (entry: T) => void {
  const waiting: T[] = [];
  let inFlight = 0;
  let scheduled = false;

  const pump = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const batch = options.take(waiting);
      inFlight += 1;
      void options.run(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  return (entry) => {
    waiting.push(entry);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  };
}
