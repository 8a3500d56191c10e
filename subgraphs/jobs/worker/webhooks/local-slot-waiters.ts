/**
 * Jobs of this process waiting for one of an endpoint's slots, woken one at a time as this
 * process gives a slot of that endpoint back. Slots freed by other processes are not seen
 * here: a waiter also asks again when its own wait runs out.
 */
export class LocalSlotWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves when a slot of `endpointId` is given back here, or after `ms`. */
  wait(endpointId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let queue = this.waiting.get(endpointId);
      if (!queue) {
        queue = new Set();
        this.waiting.set(endpointId, queue);
      }
      const done = () => {
        clearTimeout(timer);
        this.forget(endpointId, done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      queue.add(done);
    });
  }

  /** Wakes the longest-waiting job for `endpointId`, if any. */
  wakeOne(endpointId: string): void {
    const first = this.waiting.get(endpointId)?.values().next();
    if (first && !first.done) first.value();
  }

  /** Endpoints with a job waiting here (bounded by the worker's concurrency). */
  get size(): number {
    return this.waiting.size;
  }

  private forget(endpointId: string, waiter: () => void): void {
    const queue = this.waiting.get(endpointId);
    queue?.delete(waiter);
    if (queue?.size === 0) this.waiting.delete(endpointId);
  }
}
