import { createHash } from 'node:crypto';
import { hashToken, randomToken } from '../../../platform/crypto/tokens';
import { redisKey, type RedisClient } from '../../../platform/redis/connection';

/** What `startOAuth` remembers for the provider's redirect back: one use, short-lived. */
export interface OAuthState {
  tenantId: string;
  provider: string;
  redirectUri: string;
  codeVerifier: string;
  /** The signed-in user who started, when linking an account. */
  userId: string | null;
}

/**
 * OAuth `state` values, kept in Redis by hash until used once (GETDEL), with the PKCE
 * verifier that only this server knows: a code stolen on its way back is useless without it.
 */
export class OAuthStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(state: string): string {
    return redisKey(this.prefix, 'auth', 'oauth-state', hashToken(state));
  }

  async create(
    fields: Omit<OAuthState, 'codeVerifier'>,
  ): Promise<{ state: string; codeChallenge: string }> {
    const state = randomToken(32);
    const codeVerifier = randomToken(32);
    const stored: OAuthState = { ...fields, codeVerifier };
    await this.redis.set(this.key(state), JSON.stringify(stored), 'EX', this.ttlSeconds);
    return {
      state,
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    };
  }

  /** The state's data, once; null when unknown, used or expired. */
  async consume(state: string): Promise<OAuthState | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(state)) return null;
    const stored = await this.redis.getdel(this.key(state));
    return stored ? (JSON.parse(stored) as OAuthState) : null;
  }
}
