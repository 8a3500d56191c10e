import { LRUCache } from 'lru-cache';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import type { Logger } from 'pino';
import { parseApiKey } from '../../platform/contracts/auth/api-key-format';
import { type ApiKeyEndings } from '../../platform/contracts/auth/api-key-endings';
import {
  apiKeyVerifyCall,
  type VerifiedApiKey,
} from '../../platform/contracts/auth/api-key-verify';
import { hashToken } from '../../platform/crypto/tokens';
import { UnauthenticatedError } from '../../platform/errors/domain-errors';
import type { InternalClient } from '../../platform/internal-calls/client';
import type { CreatorCheck } from './api-key-creators';

export interface ApiKeyAuthenticatorOptions {
  /** Asks auth's API key check. */
  internal: InternalClient;
  /** Keys revoked or rotated, as auth announces them to every pod. */
  endings: Pick<ApiKeyEndings, 'hasEnded'>;
  /** Whether a key's creator still manages its tenant (see api-key-creators.ts). */
  creatorManages: CreatorCheck;
  logger: Logger;
  ttlMs?: number;
  maxEntries?: number;
  /** Counts each read of this pod's key cache (hit or miss). */
  countLookup?: CountCacheLookup;
}

type Cached = { key: VerifiedApiKey | null };

/**
 * Authenticates `X-API-Key` through the auth service, remembering answers per pod for a short
 * time (unknown keys for less), so a busy key costs one internal call per TTL. A key revoked
 * or past its rotation grace is refused at once all the same (auth announces its ending to
 * every pod), and so is a key whose creator no longer manages its tenant.
 */
export class ApiKeyAuthenticator {
  private readonly cache: LRUCache<string, Cached>;
  private readonly inFlight = new Map<string, Promise<VerifiedApiKey | null>>();
  private readonly ttlMs: number;

  constructor(private readonly options: ApiKeyAuthenticatorOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.cache = new LRUCache({ max: options.maxEntries ?? 10_000, ttl: this.ttlMs });
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
    if (this.options.endings.hasEnded(verified.id)) {
      throw new UnauthenticatedError('API key revoked or replaced');
    }
    if (verified.expiresAt && Date.parse(verified.expiresAt) <= Date.now()) {
      throw new UnauthenticatedError('API key expired');
    }
    if (!(await this.options.creatorManages(verified, requestId))) {
      throw new UnauthenticatedError('API key revoked: its creator no longer manages the tenant');
    }
    return verified;
  }

  /** Auth's answer; throws SERVICE_UNAVAILABLE when auth cannot give one. */
  private async lookup(key: string, requestId: string): Promise<VerifiedApiKey | null> {
    const { apiKey } = await this.options.internal.call(apiKeyVerifyCall, { key }, { requestId });
    return apiKey;
  }
}
