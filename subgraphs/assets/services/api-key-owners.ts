import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { API_KEY_OWNER_PATH, type ApiKeyOwnerAnswer } from '../../../platform/auth';
import { signContext, type RequestContext } from '../../../platform/context';
import { ForbiddenError, ServiceUnavailableError } from '../../../platform/errors';

/**
 * The user an API key uploads for: the key's creator, asked of the auth process (which owns
 * API keys) with the request's own signed context, and remembered per key (a key's creator
 * never changes).
 */
export class ApiKeyOwners {
  private readonly cache = new LRUCache<string, string>({ max: 10_000, ttl: 10 * 60_000 });

  constructor(
    private readonly authUrl: string,
    private readonly signingSecret: string,
    private readonly logger: Logger,
  ) {}

  async ownerOf(request: RequestContext): Promise<string> {
    const keyId = request.principal?.kind === 'apiKey' ? request.principal.id : null;
    if (!keyId) throw new Error('ownerOf needs an API key request');
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    let answer: ApiKeyOwnerAnswer;
    try {
      const response = await fetch(new URL(API_KEY_OWNER_PATH, this.authUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': request.requestId,
          ...signContext(request, this.signingSecret),
        },
        body: '{}',
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`auth answered HTTP ${response.status}`);
      answer = (await response.json()) as ApiKeyOwnerAnswer;
    } catch (error) {
      this.logger.warn({ err: error }, 'API key owner lookup failed');
      throw new ServiceUnavailableError('Cannot tell who owns this API key right now; retry');
    }
    if (!answer.userId) {
      throw new ForbiddenError('This API key has no user left to own what it uploads');
    }
    this.cache.set(keyId, answer.userId);
    return answer.userId;
  }
}
