import { RateLimitedError } from '../../../platform/errors';
import { redisKey, type RedisClient } from '../../../platform/redis';

/**
 * Locks an account after too many failed sign-ins: a counter per account that expires with
 * its window, so the lock lifts by itself. Keyed by account id, never by email, so nothing
 * is stored for addresses that have no account.
 */
export class AccountLockout {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  private key(userId: string): string {
    return redisKey(this.prefix, 'auth', 'failures', userId);
  }

  /** Throws RATE_LIMITED while the account is locked. */
  async assertNotLocked(userId: string): Promise<void> {
    const key = this.key(userId);
    const [[, count], [, ttl]] = (await this.redis.multi().get(key).ttl(key).exec()) as [
      [unknown, string | null],
      [unknown, number],
    ];
    if (Number(count ?? 0) >= this.maxFailures) {
      throw new RateLimitedError(ttl > 0 ? ttl : this.windowSeconds);
    }
  }

  async recordFailure(userId: string): Promise<void> {
    const key = this.key(userId);
    // NX: the window starts at the first failure and is not extended by later ones.
    await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec();
  }

  async clear(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
  }
}
