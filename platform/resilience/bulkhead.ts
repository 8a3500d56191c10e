export interface BulkheadOptions {
  /** Calls running at once. */
  maxConcurrent: number;
  /** Calls waiting for a slot; one more is refused at once. */
  maxQueued: number;
}

/** Releases the slot a call held; call it exactly once, when the call is over. */
export type Release = () => void;

/**
 * A concurrency limit for one target: at most `maxConcurrent` calls run, up to `maxQueued`
 * more wait in order, and anything beyond is refused immediately (`undefined`), so a target
 * that stops answering ties up a bounded share of this process and never the rest.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A slot now, a slot once one frees up, or `undefined` when the queue is full too. */
  acquire(): Promise<Release> | undefined {
    if (this.running < this.options.maxConcurrent) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.options.maxQueued) return undefined;
    return new Promise((resolve) => {
      // The slot passes straight from the call that frees it: `running` does not change.
      this.waiting.push(() => resolve(this.releaser()));
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
