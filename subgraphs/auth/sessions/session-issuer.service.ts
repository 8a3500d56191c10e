import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { hashToken, randomToken } from '../../../platform/crypto/tokens';
import type { UserEntity } from '../entities/user.entity';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import type { SigningKeySet } from './signing-key-set.service';

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  sessionId: string;
}

/**
 * Makes sessions and the tokens that prove them: a short-lived access token (JWT) and an
 * opaque refresh token, stored only as its SHA-256 (it is 256 random bits, so a slow hash
 * would add nothing).
 */
export class SessionIssuer {
  constructor(
    private readonly keys: SigningKeySet,
    private readonly options: {
      sessionTtlDays: number;
      maxSessionsPerUser: number;
      /** The strictest cap of the user's tenants (tenant-session-cap.client.ts), when there is one. */
      tenantCap?: (userId: string) => Promise<number | null>;
    },
  ) {}

  /**
   * Opens a session for `user` inside the caller's transaction. Returns the tokens and the
   * ids of sessions evicted, oldest first, to stay within the per-user cap: the platform's, or
   * the strictest of the user's tenants' when lower (announce them after commit).
   */
  async open(
    manager: EntityManager,
    user: UserEntity,
    meta: ClientMeta,
  ): Promise<{ tokens: IssuedTokens; evicted: string[] }> {
    const sessions = new SessionRepository(manager);
    const tenantCap = (await this.options.tenantCap?.(user.id)) ?? null;
    const cap = Math.min(this.options.maxSessionsPerUser, tenantCap ?? Number.POSITIVE_INFINITY);
    // Lock the user's row so concurrent sign-ins count live sessions one at a time.
    await new UserRepository(manager).lockForUpdate(user.id);
    const live = await sessions.live(user.id);
    const excess = live.length - cap + 1;
    const evicted =
      excess > 0
        ? await sessions.revokeByIds(
            live.slice(0, excess).map((session) => session.id),
            'evicted',
          )
        : [];
    const session = await sessions.insert({
      userId: user.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
      expiresAt: new Date(Date.now() + this.options.sessionTtlDays * 86_400_000),
    });
    return { tokens: await this.tokensFor(manager, session.id, user), evicted };
  }

  /**
   * Tokens shaped like `open`'s for a session that exists nowhere (a sign-up answered for an
   * address that has an account): nothing is stored, so the refresh token is refused, and the
   * caller announces `sessionId` revoked before handing them out, so every gateway refuses
   * the access token too.
   */
  async unbacked(user: UserEntity): Promise<IssuedTokens> {
    const sessionId = randomUUID();
    const access = await this.keys.sign({ sub: user.id, sid: sessionId });
    return {
      accessToken: access.token,
      refreshToken: `rt_${randomToken(32)}`,
      expiresAt: access.expiresAt,
      sessionId,
    };
  }

  /** A fresh refresh token in the session's family, and an access token for it. */
  async tokensFor(
    manager: EntityManager,
    sessionId: string,
    user: UserEntity,
  ): Promise<IssuedTokens> {
    const refreshToken = `rt_${randomToken(32)}`;
    await new RefreshTokenRepository(manager).insert(sessionId, hashToken(refreshToken));
    const access = await this.keys.sign({
      sub: user.id,
      sid: sessionId,
      ...(user.platformRole === 'ADMIN' ? { adm: true as const } : {}),
    });
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, sessionId };
  }
}
