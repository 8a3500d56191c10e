import { LRUCache } from 'lru-cache';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import type { Logger } from 'pino';
import { apiKeyChangedChannel, parseApiKey } from '../../platform/auth';
import {
  apiKeyVerifyCall,
  type VerifiedApiKey,
} from '../../platform/contracts/auth/api-key-verify';
import { hashToken } from '../../platform/crypto';
import { UnauthenticatedError } from '../../platform/errors';
import type { InternalClient } from '../../platform/internal-calls';
import type { RedisClient } from '../../platform/redis';

export interface ApiKeyAuthenticatorOptions {
  /** Asks auth's API key check. */
  internal: InternalClient;
  /** A connection for this pod's pub/sub subscription. */
  subscriber: RedisClient;
  prefix: string;
  logger: Logger;
  ttlMs?: number;
  maxEntries?: number;
  /** Counts each read of this pod's key cache (hit or miss). */
  countLookup?: CountCacheLookup;
}

type Cached = { key: VerifiedApiKey | null };

/**
 * Authenticates `X-API-Key` through the auth service, remembering answers per pod for a short
 * time (unknown keys for less), so a busy key costs one internal call per TTL. Revoking or
 * rotating a key is announced on Redis and drops it from every pod's cache at once.
 */
export class ApiKeyAuthenticator {
  private readonly cache: LRUCache<string, Cached>;
  private readonly inFlight = new Map<string, Promise<VerifiedApiKey | null>>();
  private readonly ttlMs: number;

  constructor(private readonly options: ApiKeyAuthenticatorOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.cache = new LRUCache({ max: options.maxEntries ?? 10_000, ttl: this.ttlMs });
  }

  async start(): Promise<void> {
    const channel = apiKeyChangedChannel(this.options.prefix);
    this.options.subscriber.on('message', (from: string, apiKeyId: string) => {
      if (from === channel) this.forget(apiKeyId);
    });
    // Changes announced while disconnected are lost: start over after a reconnect.
    this.options.subscriber.on('ready', () => this.cache.clear());
    await this.options.subscriber.subscribe(channel);
  }

  async stop(): Promise<void> {
    await this.options.subscriber.unsubscribe().catch(() => undefined);
  }

  async authenticate(key: string, requestId: string): Promise<VerifiedApiKey> {
    if (!parseApiKey(key)) throw new UnauthenticatedError('Invalid API key');
    const cacheKey = hashToken(key);
    let cached = this.cache.get(cacheKey);
    this.options.countLookup?.(cached ? 'hit' : 'miss');
    if (!cached) {
      let pending = this.inFlight.get(cacheKey);
      if (!pending) {
        pending = this.lookup(key, requestId).finally(() => this.inFlight.delete(cacheKey));
        this.inFlight.set(cacheKey, pending);
      }
      const found = await pending;
      cached = { key: found };
      // Unknown keys are remembered briefly: enough to blunt a flood, not to hide a new key.
      this.cache.set(cacheKey, cached, { ttl: found ? this.ttlMs : Math.min(this.ttlMs, 5_000) });
    }
    const verified = cached.key;
    if (!verified) throw new UnauthenticatedError('Invalid API key');
    if (verified.expiresAt && Date.parse(verified.expiresAt) <= Date.now()) {
      throw new UnauthenticatedError('API key expired');
    }
    return verified;
  }

  private forget(apiKeyId: string): void {
    for (const [cacheKey, entry] of this.cache.entries()) {
      if (entry.key?.id === apiKeyId) this.cache.delete(cacheKey);
    }
  }

  /** Auth's answer; throws SERVICE_UNAVAILABLE when auth cannot give one. */
  private async lookup(key: string, requestId: string): Promise<VerifiedApiKey | null> {
    const { apiKey } = await this.options.internal.call(apiKeyVerifyCall, { key }, { requestId });
    return apiKey;
  }
}
