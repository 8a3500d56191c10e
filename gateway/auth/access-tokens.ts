import { LRUCache } from 'lru-cache';
import {
  createRemoteJWKSet,
  errors,
  jwksCache,
  jwtVerify,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
} from 'jose';
import { ACCESS_TOKEN_ALGORITHM } from '../../platform/contracts/auth/access-token';
import { type RevocationList } from '../../platform/contracts/auth/session-revocation';
import { ServiceUnavailableError, UnauthenticatedError } from '../../platform/errors/domain-errors';
import { isUuid } from '../../platform/graphql/ids';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';

export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  platformAdmin: boolean;
}

/** Tolerated clock skew between auth and this pod, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * How long a token's checked signature is reused: well inside the JWKS cache's 10 minutes, so
 * withdrawing a signing key takes no longer to reach this pod than it did.
 */
const VERIFIED_REUSE_MS = 60_000;
/** Tokens whose checked signature is kept (a few hundred bytes each). */
const VERIFIED_TOKENS = 10_000;

interface VerifiedEntry extends VerifiedAccessToken {
  /** The `exp` claim, in ms. */
  expiresAt: number;
}

/**
 * Verifies access tokens without a database: the signature against the auth service's JWKS
 * (fetched once, refetched when an unknown key id appears, at most every 30 s), the
 * registered claims, and the session against this pod's in-memory revocation list.
 */
export class AccessTokenVerifier {
  private readonly jwks: JWTVerifyGetKey;
  /**
   * Tokens whose signature and claims checked out, by their exact text: a client sends the
   * same token with every request until it refreshes, and checking an ES256 signature is the
   * gateway's largest cost per request after the network. Expiry and revocation are still
   * checked on every request.
   */
  private readonly verified: LRUCache<string, VerifiedEntry>;

  constructor(
    jwksUrl: URL,
    private readonly issuer: string,
    private readonly revocations: Pick<RevocationList, 'isRevoked'>,
    /** Counts each key lookup: `hit` from the cached key set, `miss` when it was fetched. */
    countLookup?: CountCacheLookup,
    private readonly now: () => number = Date.now,
    /** Counts each verification: `hit` when the token's checked signature was reused. */
    private readonly countVerified: CountCacheLookup = () => undefined,
  ) {
    this.verified = new LRUCache({
      max: VERIFIED_TOKENS,
      ttl: VERIFIED_REUSE_MS,
      ttlAutopurge: false,
      perf: { now: () => this.now() },
    });
    // jose writes the time of each fetch into this object: a lookup that changed it fetched.
    const cache: JWKSCacheInput = {};
    const remote = createRemoteJWKSet(jwksUrl, {
      timeoutDuration: 2_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      [jwksCache]: cache,
    });
    this.jwks = countLookup
      ? async (header, token) => {
          const before = (cache as { uat?: number }).uat;
          const fetched = () => (cache as { uat?: number }).uat !== before;
          try {
            const key = await remote(header, token);
            countLookup(fetched() ? 'miss' : 'hit');
            return key;
          } catch (error) {
            countLookup(fetched() ? 'miss' : 'error');
            throw error;
          }
        }
      : remote;
  }

  /**
   * Whether the token's signature was checked here recently, so verifying it again costs a
   * cache read: expiry and revocation are still checked by {@link verify}.
   */
  knows(token: string): boolean {
    return this.verified.has(token);
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    if (token.length > 4096) throw new UnauthenticatedError('Invalid access token');
    const cached = this.verified.get(token);
    this.countVerified(cached ? 'hit' : 'miss');
    const entry = cached ?? (await this.checkSignature(token));
    if (this.now() > entry.expiresAt + CLOCK_TOLERANCE_SECONDS * 1000) {
      this.verified.delete(token);
      throw new UnauthenticatedError('Access token expired');
    }
    if (this.revocations.isRevoked(entry.sessionId)) {
      throw new UnauthenticatedError('Session revoked');
    }
    return {
      userId: entry.userId,
      sessionId: entry.sessionId,
      platformAdmin: entry.platformAdmin,
    };
  }

  private async checkSignature(token: string): Promise<VerifiedEntry> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.issuer,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: 'at+jwt',
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new UnauthenticatedError('Access token expired');
      if (error instanceof errors.JWKSTimeout || isFetchFailure(error)) {
        throw new ServiceUnavailableError('Cannot verify access tokens right now; retry shortly');
      }
      throw new UnauthenticatedError('Invalid access token');
    }
    const { sub, sid, adm, exp } = payload;
    if (!isUuid(sub) || !isUuid(sid) || typeof exp !== 'number') {
      throw new UnauthenticatedError('Invalid access token');
    }
    const entry = {
      userId: sub,
      sessionId: sid,
      platformAdmin: adm === true,
      expiresAt: exp * 1000,
    };
    this.verified.set(token, entry);
    return entry;
  }
}

/** The JWKS endpoint could not be reached (as opposed to answering something wrong). */
function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}
