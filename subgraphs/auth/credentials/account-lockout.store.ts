import { hashToken } from '../../../platform/crypto/tokens';
import { redisKey, type RedisClient } from '../../../platform/redis/connection';

export interface ReservedAttempt {
  /** False once the address used up its attempts in this window: check no password. */
  allowed: boolean;
  /** When the window (and so the lock) ends. */
  retryAfterSeconds: number;
}

/**
 * Password attempts per account address. Every attempt takes its slot with one atomic INCR
 * before any password is checked, so concurrent guesses cannot all slip past the limit before
 * the first failure is counted: `maxAttempts` per window at most, then the address is locked
 * until the window (which starts at the first attempt) ends. A correct password clears the
 * count. Keyed by a hash of the normalized email whether or not it has an account, so a
 * locked address and an address nobody uses behave alike; the key lives one window.
 */
export class AccountLockout {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
  ) {}

  private key(email: string): string {
    return redisKey(this.prefix, 'auth', 'attempts', hashToken(email));
  }

  async reserve(email: string): Promise<ReservedAttempt> {
    const key = this.key(email);
    // NX: the window starts at the first attempt and is not extended by later ones.
    const [[, count], , [, ttl]] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, this.windowSeconds, 'NX')
      .ttl(key)
      .exec()) as [[unknown, number], unknown, [unknown, number]];
    return {
      allowed: count <= this.maxAttempts,
      retryAfterSeconds: ttl > 0 ? ttl : this.windowSeconds,
    };
  }

  async clear(email: string): Promise<void> {
    await this.redis.del(this.key(email));
  }
}
