import { utcDay, type OperationType, type UsageDelta } from './usage-counts';

const OPERATION_FIELD = {
  query: 'queries',
  mutation: 'mutations',
  subscription: 'subscriptions',
} as const satisfies Record<OperationType, keyof UsageDelta>;

const DAY_MS = 86_400_000;

/**
 * Counts usage in memory, per tenant and UTC day, until `drain` hands the sums over to be
 * written (every few seconds): a request costs a map lookup and a few additions, never a
 * database write. Live subscriptions are counted per tenant; each day's peak is the most seen
 * at once in this process.
 */
export class UsageAggregator {
  private pending = new Map<string, UsageDelta>();
  private readonly live = new Map<string, number>();
  /** The UTC day last counted in, and the epoch ms it spans: formatted once per day. */
  private day = { from: 0, until: 0, name: '' };

  constructor(private readonly now: () => number = Date.now) {}

  request(tenantId: string): void {
    this.entry(tenantId).requests += 1;
  }

  operation(tenantId: string, type: OperationType): void {
    this.entry(tenantId)[OPERATION_FIELD[type]] += 1;
  }

  responseBytes(tenantId: string, bytes: number): void {
    this.entry(tenantId).responseBytes += bytes;
  }

  webhookDelivery(tenantId: string): void {
    this.entry(tenantId).webhookDeliveries += 1;
  }

  /** The bytes the tenant's assets hold now; the day keeps the largest sample. */
  storageBytes(tenantId: string, bytes: number): void {
    const entry = this.entry(tenantId);
    entry.storageBytes = Math.max(entry.storageBytes, bytes);
  }

  subscriptionStarted(tenantId: string): void {
    const live = (this.live.get(tenantId) ?? 0) + 1;
    this.live.set(tenantId, live);
    const entry = this.entry(tenantId);
    entry.peakSubscriptions = Math.max(entry.peakSubscriptions, live);
  }

  subscriptionEnded(tenantId: string): void {
    const live = (this.live.get(tenantId) ?? 1) - 1;
    if (live > 0) this.live.set(tenantId, live);
    else this.live.delete(tenantId);
  }

  /** The sums since the last drain, and a fresh start (live subscriptions carry over). */
  drain(): UsageDelta[] {
    const drained = [...this.pending.values()];
    this.pending = new Map();
    return drained;
  }

  /** Puts back what could not be written, so the next drain sends it again. */
  restore(deltas: readonly UsageDelta[]): void {
    for (const delta of deltas) {
      const entry = this.entryOf(delta.tenantId, delta.day);
      entry.requests += delta.requests;
      entry.queries += delta.queries;
      entry.mutations += delta.mutations;
      entry.subscriptions += delta.subscriptions;
      entry.responseBytes += delta.responseBytes;
      entry.webhookDeliveries += delta.webhookDeliveries;
      entry.peakSubscriptions = Math.max(entry.peakSubscriptions, delta.peakSubscriptions);
      entry.storageBytes = Math.max(entry.storageBytes, delta.storageBytes);
    }
  }

  private entry(tenantId: string): UsageDelta {
    return this.entryOf(tenantId, this.today());
  }

  /** Every request counts in today's entry: a comparison, not a date formatted each time. */
  private today(): string {
    const now = this.now();
    if (now < this.day.from || now >= this.day.until) {
      const from = Math.floor(now / DAY_MS) * DAY_MS;
      this.day = { from, until: from + DAY_MS, name: utcDay(from) };
    }
    return this.day.name;
  }

  private entryOf(tenantId: string, day: string): UsageDelta {
    const key = `${tenantId} ${day}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = {
        tenantId,
        day,
        requests: 0,
        queries: 0,
        mutations: 0,
        subscriptions: 0,
        responseBytes: 0,
        webhookDeliveries: 0,
        // A day that starts with subscriptions already open starts with them as its peak.
        peakSubscriptions: this.live.get(tenantId) ?? 0,
        storageBytes: 0,
      };
      this.pending.set(key, entry);
    }
    return entry;
  }
}
