import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { tenantOriginsCall } from '../../platform/contracts/tenancy/tenant-origins';
import { isUuid } from '../../platform/graphql/ids';
import type { InternalClient } from '../../platform/internal-calls/client';
import type { RedisClient } from '../../platform/redis/connection';
import { normalizeOrigin } from '../../platform/contracts/tenancy/tenant-settings';
import { tenantOriginsChangedChannel } from '../../platform/contracts/tenancy/tenant-origin-events';
import type { GatewayConfig } from '../config';

/**
 * The gateway's tenant origin check, from its config: the cache settings; tenancy is asked
 * through `internal`, and announcements arrive on the pod's subscriber connection.
 */
export async function startTenantOrigins(
  config: GatewayConfig,
  internal: InternalClient,
  connections: { subscriber: RedisClient },
  logger: Logger,
  registry: Registry,
): Promise<TenantOrigins> {
  const origins = new TenantOrigins({
    internal,
    ttlMs: config.CORS_TENANT_ORIGIN_TTL_SECONDS * 1000,
    negativeTtlMs: config.CORS_TENANT_ORIGIN_DENY_TTL_SECONDS * 1000,
    maxEntries: config.CORS_TENANT_ORIGIN_CACHE_SIZE,
    timeoutMs: config.CORS_TENANT_ORIGIN_TIMEOUT_MS,
    subscriber: connections.subscriber,
    prefix: config.REDIS_PREFIX,
    registry,
    logger,
  });
  await origins.start();
  return origins;
}

export interface TenantOriginsOptions {
  /** Asks tenancy's origin lookup. */
  internal: InternalClient;
  /** How long "allowed" is reused by this pod. */
  ttlMs: number;
  /** How long "not allowed" is reused; at most `ttlMs`. */
  negativeTtlMs: number;
  /** Origins remembered at once; the least recently used go first. */
  maxEntries: number;
  /** How long a lookup may take; past it the origin is refused this time. */
  timeoutMs: number;
  /** This pod's subscriber connection: tenancy announces origin changes on it. */
  subscriber?: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  registry: Registry;
  logger: Logger;
}

/**
 * Whether a tenant allows a browser origin, for the gateway's CORS: the tenant a request
 * names in X-Tenant-Id, or, for a preflight (which names no tenant), any tenant. Answers come
 * from tenancy's internal route and are remembered per pod in a bounded LRU, by tenant and
 * origin: allowed for `ttlMs`, refused for less, so an origin a tenant adds works soon and a
 * flood of made-up origins costs one lookup each per `negativeTtlMs` at most. Tenancy
 * announces every change on Redis, which empties the cache of every pod at once; without the
 * announcement (Redis away) a change still takes effect within the TTL. A failed lookup
 * refuses the origin and is not remembered.
 */
export class TenantOrigins {
  private readonly cache: LRUCache<string, boolean>;
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly lookups: Counter<'result'>;
  /** Bumped by every invalidation: an answer asked for before it is not remembered. */
  private generation = 0;
  private readonly channel: string;
  private readonly onMessage = (channel: string, tenantId: string) => {
    if (channel !== this.channel) return;
    this.options.logger.debug({ tenantId }, 'tenant origins changed; CORS cache dropped');
    this.invalidate();
  };
  // Announcements made while disconnected are lost: start over after a reconnect.
  private readonly onReady = () => this.invalidate();

  constructor(private readonly options: TenantOriginsOptions) {
    this.cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.channel = tenantOriginsChangedChannel(options.prefix);
    this.lookups = new Counter({
      name: 'tessera_cors_tenant_origin_lookups_total',
      help:
        "Origins checked against tenants' allowed origins: answered from this pod's cache " +
        '(hit), by tenancy (miss), or not answered (error, the origin is refused).',
      labelNames: ['result'],
      registers: [options.registry],
    });
  }

  async start(): Promise<void> {
    const { subscriber } = this.options;
    if (!subscriber) return;
    subscriber.on('message', this.onMessage);
    subscriber.on('ready', this.onReady);
    await subscriber.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    const { subscriber } = this.options;
    if (!subscriber) return;
    subscriber.off('message', this.onMessage);
    subscriber.off('ready', this.onReady);
    await subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  /** Forgets every answer of this pod (lookups in flight are not remembered either). */
  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
  }

  /**
   * True when `tenantId` allows `origin`, or with no tenant, when some tenant does. Throws
   * when tenancy cannot answer (the CORS layer refuses the origin and logs it). Values a
   * browser would never send as an Origin header (not `scheme://host[:port]` in its normal
   * form, `null`) and tenant ids that are not UUIDs are refused without asking.
   */
  allows(origin: string, tenantId?: string): Promise<boolean> {
    if (normalizeOrigin(origin, { allowHttp: true }) !== origin) return Promise.resolve(false);
    if (tenantId !== undefined && !isUuid(tenantId)) return Promise.resolve(false);
    const tenant = tenantId?.toLowerCase();
    const key = `${tenant ?? '*'} ${origin}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.lookups.inc({ result: 'hit' });
      return Promise.resolve(cached);
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.lookup(key, origin, tenant).finally(() => {
        if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
      });
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async lookup(key: string, origin: string, tenantId?: string): Promise<boolean> {
    const generation = this.generation;
    let allowed: boolean;
    try {
      const { origins } = await this.options.internal.call(
        tenantOriginsCall,
        tenantId ? { origin, tenantId } : { origin },
        { timeoutMs: this.options.timeoutMs },
      );
      allowed = origins.includes(origin);
    } catch (error) {
      this.lookups.inc({ result: 'error' });
      throw error;
    }
    this.lookups.inc({ result: 'miss' });
    if (generation === this.generation) {
      this.cache.set(key, allowed, {
        ttl: allowed
          ? this.options.ttlMs
          : Math.min(this.options.negativeTtlMs, this.options.ttlMs),
      });
    }
    return allowed;
  }
}
