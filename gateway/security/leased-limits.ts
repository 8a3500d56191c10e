import { LRUCache } from 'lru-cache';
import type { WindowSetDecision } from '../../platform/rate-limit/window-set';

/** The shared windows the leases are taken from (a SlidingWindowSet). */
export interface SharedWindows<Name extends string> {
  consume(
    subjects: readonly (readonly [Name, string])[],
    cost: number,
  ): Promise<WindowSetDecision<Name>>;
}

export interface LeasedLimitsOptions<Name extends string> {
  /** Units per window, by name: a lease is at most `share` of it. */
  limits: Readonly<Record<Name, number>>;
  /**
   * How long a lease may be spent from; 30 s by default. The bound below holds whatever it is;
   * a longer lease spares more callers a round trip and keeps unspent units reserved longer.
   */
  leaseMs?: number;
  /** The largest lease as a share of its limit; 1/50 by default. */
  share?: number;
  /** The largest lease in units, whatever the limit (each unit is a member of a sorted set). */
  maxUnits?: number;
  /** Subjects whose leases this process keeps; 100 000 by default. */
  maxSubjects?: number;
  /** Milliseconds on a monotonic clock; `performance.now` by default. */
  clock?: () => number;
  /** Called with the limit's name for each lease taken from Redis. */
  onLease?: (name: Name) => void;
}

interface Lease {
  /** Units left to spend. */
  units: number;
  /** Units it was taken with. */
  size: number;
  expiresAt: number;
}

/**
 * Limits spent from leases: a process takes a few units of a subject's window in Redis at a
 * time and spends them locally, so a caller whose leases cover a request costs no round trip.
 *
 * Every unit spent was taken from the shared window first: the limit is never exceeded by
 * more than the units a process spends after the window would have let them go, at most one
 * lease per process and subject, at most `share` of the limit. A process holds one lease of a
 * subject at a time and takes the next only once it is used up or expired, so of the leases
 * taken before any window began, only the last can still be spent inside it, however long
 * `leaseMs` is; a longer lease only spares the callers who come back within it a round trip.
 *
 * A subject's first lease is a quarter of that, and a lease doubles each time one is used up
 * before it expires; one that expires half used shrinks to what was used, so units taken and
 * never spent stay few. A lease that does not fit is retried as a single unit, so near the
 * limit every request asks Redis and is decided exactly, with its Retry-After, as without
 * leases.
 */
export class LeasedLimits<Name extends string> {
  private readonly leases: LRUCache<string, Lease>;
  private readonly taking = new Map<string, Promise<WindowSetDecision<Name>>>();
  private readonly leaseMs: number;
  private readonly share: number;
  private readonly maxUnits: number;
  private readonly clock: () => number;

  constructor(
    private readonly windows: SharedWindows<Name>,
    private readonly options: LeasedLimitsOptions<Name>,
  ) {
    this.leases = new LRUCache({ max: options.maxSubjects ?? 100_000 });
    this.leaseMs = options.leaseMs ?? 30_000;
    this.share = options.share ?? 1 / 50;
    this.maxUnits = options.maxUnits ?? 64;
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * One unit from the window of each listed subject, or a refusal naming the window that has
   * none left (nothing is spent then). Redis is asked only for the subjects whose lease is
   * spent or expired, all at once.
   */
  async spend(subjects: readonly (readonly [Name, string])[]): Promise<WindowSetDecision<Name>> {
    for (;;) {
      const now = this.clock();
      const lacking = subjects.filter((subject) => !this.usable(keyOf(subject), now));
      if (lacking.length === 0) {
        for (const subject of subjects) this.leases.get(keyOf(subject))!.units -= 1;
        return ADMITTED;
      }
      const decisions = await Promise.all(
        lacking.map((subject) => this.taking.get(keyOf(subject)) ?? this.take(subject)),
      );
      const refused = decisions.find((decision) => !decision.allowed);
      if (refused) return refused;
      // Redis away and the fail mode admits: this request passes, and no lease is kept.
      const degraded = decisions.find((decision) => decision.degraded);
      if (degraded) return degraded;
      // Leases taken (here or by a concurrent request): spend from them, or take more.
    }
  }

  private usable(key: string, now: number): boolean {
    const lease = this.leases.get(key);
    return lease !== undefined && lease.units > 0 && lease.expiresAt > now;
  }

  private take(subject: readonly [Name, string]): Promise<WindowSetDecision<Name>> {
    const key = keyOf(subject);
    const size = this.nextSize(subject[0], this.leases.get(key));
    const taking = (async () => {
      let granted = size;
      let decision = await this.windows.consume([subject], size);
      if (!decision.allowed && !decision.degraded && size > 1) {
        granted = 1;
        decision = await this.windows.consume([subject], 1);
      }
      if (decision.allowed && !decision.degraded) {
        this.options.onLease?.(subject[0]);
        this.leases.set(key, {
          units: granted,
          size: granted,
          expiresAt: this.clock() + this.leaseMs,
        });
      }
      return decision;
    })().finally(() => this.taking.delete(key));
    this.taking.set(key, taking);
    return taking;
  }

  private nextSize(name: Name, previous: Lease | undefined): number {
    const largest = Math.max(
      1,
      Math.min(this.maxUnits, Math.floor(this.options.limits[name] * this.share)),
    );
    if (!previous) return Math.max(1, Math.floor(largest / 4));
    const used = previous.size - previous.units;
    const size = previous.units === 0 ? previous.size * 2 : used;
    return Math.max(1, Math.min(largest, size));
  }
}

const ADMITTED: WindowSetDecision<never> = Object.freeze({
  allowed: true,
  remaining: 0,
  retryAfterSeconds: 0,
  retryAfterMs: 0,
  degraded: false,
});

function keyOf([name, subject]: readonly [string, string]): string {
  return `${name}\u0000${subject}`;
}
