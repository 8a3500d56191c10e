import { LRUCache } from 'lru-cache';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import type { Logger } from 'pino';
import {
  API_KEY_VERIFY_PATH,
  parseApiKey,
  type ApiKeyEndings,
  type VerifiedApiKey,
} from '../../platform/auth';
import { anonymousContext, signContext } from '../../platform/context';
import { hashToken } from '../../platform/crypto';
import { ServiceUnavailableError, UnauthenticatedError } from '../../platform/errors';
import type { CreatorCheck } from './api-key-creators';

export interface ApiKeyAuthenticatorOptions {
  /** The auth process's base URL (its internal routes live beside /graphql). */
  authUrl: string;
  signingSecret: string;
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

  private async lookup(key: string, requestId: string): Promise<VerifiedApiKey | null> {
    let response: Response;
    try {
      response = await fetch(new URL(API_KEY_VERIFY_PATH, this.options.authUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          ...signContext(anonymousContext(requestId), this.options.signingSecret),
        },
        body: JSON.stringify({ key }),
        signal: AbortSignal.timeout(2_000),
      });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'API key check failed: auth unreachable');
      throw new ServiceUnavailableError('Cannot check API keys right now; retry shortly');
    }
    if (!response.ok) {
      this.options.logger.error({ status: response.status }, 'API key check failed');
      throw new ServiceUnavailableError('Cannot check API keys right now; retry shortly');
    }
    const body = (await response.json()) as { apiKey: VerifiedApiKey | null };
    return body.apiKey;
  }
}
