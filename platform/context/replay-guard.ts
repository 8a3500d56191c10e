import { ServiceUnavailableError } from '../errors/domain-errors';
import { redisKey, type RedisClient } from '../redis/connection';
import { ContextRejectedError, type VerifiedRequest } from './signed-request';

/**
 * Lets each signed request that changes something through once: its nonce is claimed in Redis
 * (shared by every pod) with SET NX for as long as its signature could still be accepted, so a
 * captured request sent again within the window is refused. When Redis cannot answer, the
 * request is refused too (503): replays must not get through while the guard is blind.
 */
export class ReplayGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly maxAgeSeconds: number,
  ) {}

  /** Throws {@link ContextRejectedError} (`replayed`) or a ServiceUnavailableError. */
  async claim(request: Pick<VerifiedRequest, 'caller' | 'nonce'>): Promise<void> {
    let claimed: string | null;
    try {
      // A timestamp is accepted up to maxAge either side of now: the nonce must outlive both.
      claimed = await this.redis.set(
        redisKey(this.prefix, 'signed-request', 'nonce', request.caller, request.nonce),
        '1',
        'EX',
        2 * this.maxAgeSeconds + 1,
        'NX',
      );
    } catch {
      throw new ServiceUnavailableError('Cannot check this request for replay right now; retry');
    }
    if (claimed !== 'OK') throw new ContextRejectedError('replayed');
  }
}
