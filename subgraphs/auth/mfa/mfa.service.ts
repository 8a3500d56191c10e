import { platformScope } from '../../../platform/db/scope';
import { hashToken, randomToken } from '../../../platform/crypto/tokens';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { redisKey } from '../../../platform/redis/connection';
import type { UserEntity } from '../entities/user.entity';
import { PasskeyRepository } from '../repositories/passkey.repository';
import type { AuthServices } from '../auth-services';

/** What the second-factor step reads and writes. */
export type MfaDeps = Pick<AuthServices, 'config' | 'dataSource' | 'redis'>;

/** Second factors a password or OAuth sign-in can be completed with. */
export const MFA_METHODS = ['passkey'] as const;

/** The answer of `signIn` and `completeOAuthSignIn` when the first factor is not enough. */
export interface MfaChallengeModel {
  mfaToken: string;
  methods: string[];
}

const MFA_TOKEN = /^mfa_[A-Za-z0-9_-]{43}$/;

function key(auth: MfaDeps, tokenHash: string): string {
  return redisKey(auth.config.REDIS_PREFIX, 'auth', 'mfa', tokenHash);
}

export async function hasSecondFactor(auth: MfaDeps, userId: string): Promise<boolean> {
  return (await new PasskeyRepository(auth.dataSource.manager).countOf(userId)) > 0;
}

/**
 * After a correct first factor (a password, or a provider account): null when the account has
 * no second factor, otherwise an MFA token instead of a session. The token is bound to the
 * user, kept only as its hash, lives as long as a passkey challenge, and is spent by the first
 * attempt to finish, right or wrong.
 */
export async function challengeSecondFactor(
  auth: MfaDeps,
  user: UserEntity,
): Promise<MfaChallengeModel | null> {
  if (!(await hasSecondFactor(auth, user.id))) return null;
  const mfaToken = `mfa_${randomToken(32)}`;
  await auth.redis.set(
    key(auth, hashToken(mfaToken)),
    user.id,
    'EX',
    auth.config.WEBAUTHN_CHALLENGE_TTL_SECONDS,
  );
  const methods = [...MFA_METHODS];
  await platformScope(auth.dataSource).run((manager) =>
    appendEvent(manager, {
      type: EventType.MFA_CHALLENGED,
      tenantId: null,
      actor: { kind: 'user', id: user.id },
      payload: { userId: user.id, methods },
    }),
  );
  return { mfaToken, methods };
}

/** The user an MFA token was issued to, spending the token; null if unknown, expired or used. */
export async function consumeMfaToken(auth: MfaDeps, token: string): Promise<string | null> {
  if (!MFA_TOKEN.test(token)) return null;
  return auth.redis.getdel(key(auth, hashToken(token)));
}
