import { LRUCache } from 'lru-cache';
import { apiKeyOwnerCall } from '../../../platform/contracts/auth/api-key-owner';
import type { RequestContext } from '../../../platform/context/request-context';
import { ForbiddenError } from '../../../platform/errors/domain-errors';
import type { InternalClient } from '../../../platform/internal-calls/client';

/**
 * The user an API key uploads for: the key's creator, asked of the auth process (which owns
 * API keys) with the request's own context, and remembered per key (a key's creator never
 * changes).
 */
export class ApiKeyOwners {
  private readonly cache = new LRUCache<string, string>({ max: 10_000, ttl: 10 * 60_000 });

  constructor(private readonly internal: InternalClient) {}

  async ownerOf(request: RequestContext): Promise<string> {
    const keyId = request.principal?.kind === 'apiKey' ? request.principal.id : null;
    if (!keyId) throw new Error('ownerOf needs an API key request');
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const { userId } = await this.internal.call(apiKeyOwnerCall, {}, { context: request });
    if (!userId) throw new ForbiddenError('This API key has no user left to own what it uploads');
    this.cache.set(keyId, userId);
    return userId;
  }
}
