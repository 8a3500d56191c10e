import { LRUCache } from 'lru-cache';
import { MAX_TENANT_STATUS_IDS, tenantStatusCall } from './tenant-status';
import type { InternalClient } from '../../internal-calls/client';
import type { CountCacheLookup } from '../../observability/cache-metrics';
import { redisKey, type RedisClient } from '../../redis/connection';
import type { TenantStatus } from './tenant-status-values';

/** A tenant's status as a service acts on it: null when there is no live tenant of the id. */
export type LiveTenantStatus = TenantStatus | null;

/**
 * Tenancy announces here, after the commit, every change of a tenant's status (suspended,
 * reinstated, deleted); the message is the tenant id. Services holding a {@link TenantStatuses}
 * cache forget that tenant's entry.
 */
export function tenantStatusChangedChannel(prefix: string): string {
  return redisKey(prefix, 'tenancy', 'status-changed');
}

export async function publishTenantStatusChanged(
  redis: RedisClient,
  prefix: string,
  tenantId: string,
): Promise<void> {
  await redis.publish(tenantStatusChangedChannel(prefix), tenantId.toLowerCase());
}

export interface TenantStatusesOptions {
  /** Asks tenancy ({@link tenantStatusCall}). */
  internal: Pick<InternalClient, 'call'>;
  timeoutMs?: number;
  /** A connection of this process's own in subscriber mode: announcements arrive on it. */
  subscriber: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Tenants remembered at once; the least recently used go first. */
  maxEntries?: number;
  /** How long an answer is reused when its announcement is lost. */
  ttlMs?: number;
  countLookup?: CountCacheLookup;
}

/** The cached form: lru-cache keeps no null. */
type Cached = TenantStatus | 'NONE';

/**
 * Tenant statuses as one process sees them: asked of tenancy, remembered in a bounded LRU, and
 * forgotten the moment tenancy announces a change on Redis. The cache is trusted only while
 * the subscriber connection is ready: announcements made while it is down are lost, so until
 * it is back every question goes to tenancy, and its return empties the cache. An answer
 * asked for before an announcement is not remembered (it may predate the change). Nothing
 * survives a restart: a new process asks again. Concurrent questions about one tenant share
 * one lookup.
 */
export class TenantStatuses {
  private readonly cache: LRUCache<string, Cached>;
  private readonly inFlight = new Map<string, Promise<LiveTenantStatus>>();
  /** Bumped by every announcement and reconnect: lookups begun before it are not kept. */
  private generation = 0;
  private readonly channel: string;
  private readonly onMessage = (channel: string, tenantId: string) => {
    if (channel !== this.channel) return;
    this.generation += 1;
    this.cache.delete(tenantId);
    this.inFlight.delete(tenantId);
  };
  private readonly onReady = () => this.clear();

  constructor(private readonly options: TenantStatusesOptions) {
    this.channel = tenantStatusChangedChannel(options.prefix);
    this.cache = new LRUCache({
      max: options.maxEntries ?? 10_000,
      ttl: options.ttlMs ?? 60_000,
    });
  }

  async start(): Promise<void> {
    const { subscriber } = this.options;
    subscriber.on('message', this.onMessage);
    subscriber.on('ready', this.onReady);
    await subscriber.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    const { subscriber } = this.options;
    subscriber.off('message', this.onMessage);
    subscriber.off('ready', this.onReady);
    await subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  /** Forgets every answer (lookups in flight are not remembered either). */
  clear(): void {
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
  }

  /** Throws a coded SERVICE_UNAVAILABLE when tenancy cannot answer. */
  async statusOf(tenantId: string): Promise<LiveTenantStatus> {
    return (await this.statusesOf([tenantId])).get(tenantId.toLowerCase()) ?? null;
  }

  /** Each tenant's status, by lower-case id; one lookup for all those not cached. */
  async statusesOf(tenantIds: readonly string[]): Promise<Map<string, LiveTenantStatus>> {
    const ids = [...new Set(tenantIds.map((id) => id.toLowerCase()))];
    const trusted = this.options.subscriber.status === 'ready';
    const found = new Map<string, LiveTenantStatus>();
    const waiting: Promise<void>[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const cached = trusted ? this.cache.get(id) : undefined;
      if (cached !== undefined) {
        this.options.countLookup?.('hit');
        found.set(id, cached === 'NONE' ? null : cached);
        continue;
      }
      const pending = this.inFlight.get(id);
      if (pending) {
        waiting.push(pending.then((status) => void found.set(id, status)));
        continue;
      }
      this.options.countLookup?.('miss');
      missing.push(id);
    }
    for (let start = 0; start < missing.length; start += MAX_TENANT_STATUS_IDS) {
      waiting.push(this.lookup(missing.slice(start, start + MAX_TENANT_STATUS_IDS), found));
    }
    await Promise.all(waiting);
    return found;
  }

  private async lookup(ids: string[], found: Map<string, LiveTenantStatus>): Promise<void> {
    const generation = this.generation;
    const answer = this.ask(ids);
    const shared = new Map<string, Promise<LiveTenantStatus>>();
    for (const id of ids) {
      const one = answer.then((statuses) => statuses.get(id) ?? null);
      // Joined by others; its failure is theirs to see, not an unhandled rejection here.
      one.catch(() => undefined);
      shared.set(id, one);
      this.inFlight.set(id, one);
    }
    try {
      const statuses = await answer;
      for (const id of ids) {
        const status = statuses.get(id) ?? null;
        found.set(id, status);
        if (generation === this.generation) this.cache.set(id, status ?? 'NONE');
      }
    } finally {
      for (const [id, one] of shared) {
        if (this.inFlight.get(id) === one) this.inFlight.delete(id);
      }
    }
  }

  /** Throws the client's coded SERVICE_UNAVAILABLE when tenancy cannot answer. */
  private async ask(ids: string[]): Promise<Map<string, TenantStatus>> {
    const answer = await this.options.internal.call(
      tenantStatusCall,
      { tenantIds: ids },
      { timeoutMs: this.options.timeoutMs },
    );
    return new Map(answer.tenants.map((tenant) => [tenant.id.toLowerCase(), tenant.status]));
  }
}
