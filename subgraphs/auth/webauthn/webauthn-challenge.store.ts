import { isUuid } from '../../../platform/graphql/ids';
import { redisKey } from '../../../platform/redis/connection';
import type { AuthServices } from '../auth-services';

/** Where challenges are kept, and for how long. */
export type ChallengeStoreDeps = Pick<AuthServices, 'config' | 'redis'>;

export type ChallengePurpose = 'registration' | 'authentication';

/** What the server remembers about a challenge it handed out, until it is answered once. */
export interface ChallengeRecord {
  purpose: ChallengePurpose;
  /**
   * Registration: the signed-in user it was made for. Authentication: the account the caller
   * named by email (null when that address has no account), or null with `bound` false when
   * any discoverable passkey may answer.
   */
  userId: string | null;
  bound: boolean;
}

function key(auth: ChallengeStoreDeps, challenge: string): string {
  return redisKey(auth.config.REDIS_PREFIX, 'auth', 'webauthn', 'challenge', challenge);
}

/**
 * Challenges live server-side, never in a client-held token: each is a Redis key that expires
 * with the ceremony's timeout and is deleted by the first response that names it (GETDEL), so
 * a response, good or bad, can be presented only once.
 */
export async function saveChallenge(
  auth: ChallengeStoreDeps,
  challenge: string,
  record: ChallengeRecord,
): Promise<void> {
  await auth.redis.set(
    key(auth, challenge),
    JSON.stringify(record),
    'EX',
    auth.config.WEBAUTHN_CHALLENGE_TTL_SECONDS,
  );
}

/** Takes the challenge for good; null when it was never issued, has expired or was used. */
export async function takeChallenge(
  auth: ChallengeStoreDeps,
  challenge: string,
): Promise<ChallengeRecord | null> {
  const stored = await auth.redis.getdel(key(auth, challenge));
  if (!stored) return null;
  const record = JSON.parse(stored) as Partial<ChallengeRecord>;
  if (record.purpose !== 'registration' && record.purpose !== 'authentication') return null;
  if (record.userId !== null && !isUuid(record.userId)) return null;
  return { purpose: record.purpose, userId: record.userId, bound: record.bound === true };
}
