import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { anonymousContext, signContext } from '../../platform/context';
import type { RedisClient } from '../../platform/redis';
import {
  normalizeOrigin,
  TENANT_ORIGINS_PATH,
  tenantOriginsAnswerSchema,
  tenantOriginsChangedChannel,
} from '../../platform/tenancy';
import { internalUrl, type GatewayConfig } from '../config';

/**
 * The gateway's tenant origin check, from its config: tenancy's internal URL and the cache
 * settings; announcements arrive on the pod's subscriber connection.
 */
export async function startTenantOrigins(
  config: GatewayConfig,
  supergraphSdl: string,
  connections: { subscriber: RedisClient },
  logger: Logger,
  registry: Registry,
): Promise<TenantOrigins> {
  const origins = new TenantOrigins({
    tenancyInternalUrl: internalUrl(config, supergraphSdl, 'tenancy'),
    signingSecret: config.CONTEXT_SIGNING_SECRETS[0]!,
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
  /** The tenancy process's base URL, e.g. `http://127.0.0.1:4002` (any path is ignored). */
  tenancyInternalUrl: string;
  /** Signs the service context of each lookup (the first of CONTEXT_SIGNING_SECRETS). */
  signingSecret: string;
  /** How long "some tenant allows it" is reused by this pod. */
  ttlMs: number;
  /** How long "no tenant allows it" is reused; at most `ttlMs`. */
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
 * Whether some tenant allows a browser origin, for the gateway's CORS (a preflight names no
 * tenant, so the question is "does any tenant allow it"). Answers come from tenancy's signed
 * internal route and are remembered per pod in a bounded LRU: allowed origins for `ttlMs`,
 * refused ones for less, so an origin a tenant adds works soon and a flood of made-up origins
 * costs one lookup each per `negativeTtlMs` at most. Tenancy announces every change on Redis,
 * which empties the cache of every pod at once; without the announcement (Redis away) a
 * change still takes effect within the TTL. A failed lookup refuses the origin and is not
 * remembered.
 */
export class TenantOrigins {
  private readonly endpoint: string;
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
    this.endpoint = new URL(TENANT_ORIGINS_PATH, options.tenancyInternalUrl).toString();
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
   * True when some tenant allows `origin`. Throws when tenancy cannot answer (the CORS layer
   * refuses the origin and logs it). Values a browser would never send as an Origin header
   * (not `scheme://host[:port]` in its normal form, `null`) are refused without asking.
   */
  allows(origin: string): Promise<boolean> {
    if (normalizeOrigin(origin, { allowHttp: true }) !== origin) return Promise.resolve(false);
    const cached = this.cache.get(origin);
    if (cached !== undefined) {
      this.lookups.inc({ result: 'hit' });
      return Promise.resolve(cached);
    }
    let pending = this.inFlight.get(origin);
    if (!pending) {
      pending = this.lookup(origin).finally(() => {
        if (this.inFlight.get(origin) === pending) this.inFlight.delete(origin);
      });
      this.inFlight.set(origin, pending);
    }
    return pending;
  }

  private async lookup(origin: string): Promise<boolean> {
    const generation = this.generation;
    let allowed: boolean;
    try {
      allowed = await this.ask(origin);
    } catch (error) {
      this.lookups.inc({ result: 'error' });
      throw error;
    }
    this.lookups.inc({ result: 'miss' });
    if (generation === this.generation) {
      this.cache.set(origin, allowed, {
        ttl: allowed
          ? this.options.ttlMs
          : Math.min(this.options.negativeTtlMs, this.options.ttlMs),
      });
    }
    return allowed;
  }

  private async ask(origin: string): Promise<boolean> {
    const requestId = randomUUID();
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          ...signContext(anonymousContext(requestId), this.options.signingSecret),
        },
        body: JSON.stringify({ origin }),
        // Covers connecting, the answer and reading its body: a preflight waits on this.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new Error(
        `tenancy did not answer the origin lookup within ${this.options.timeoutMs} ms`,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`tenancy answered the origin lookup with HTTP ${response.status}`);
    }
    const parsed = tenantOriginsAnswerSchema.safeParse(await response.json().catch(() => null));
    if (!parsed.success)
      throw new Error('tenancy answered the origin lookup with a malformed body');
    return parsed.data.origins.includes(origin);
  }
}
