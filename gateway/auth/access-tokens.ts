import {
  createRemoteJWKSet,
  errors,
  jwksCache,
  jwtVerify,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
} from 'jose';
import { ACCESS_TOKEN_ALGORITHM, type RevocationList } from '../../platform/auth';
import { ServiceUnavailableError, UnauthenticatedError } from '../../platform/errors';
import { isUuid } from '../../platform/graphql/ids';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';

export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  platformAdmin: boolean;
}

/**
 * Verifies access tokens without a database: the signature against the auth service's JWKS
 * (fetched once, refetched when an unknown key id appears, at most every 30 s), the
 * registered claims, and the session against this pod's in-memory revocation list.
 */
export class AccessTokenVerifier {
  private readonly jwks: JWTVerifyGetKey;

  constructor(
    jwksUrl: URL,
    private readonly issuer: string,
    private readonly revocations: Pick<RevocationList, 'isRevoked'>,
    /** Counts each key lookup: `hit` from the cached key set, `miss` when it was fetched. */
    countLookup?: CountCacheLookup,
  ) {
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

  async verify(token: string): Promise<VerifiedAccessToken> {
    if (token.length > 4096) throw new UnauthenticatedError('Invalid access token');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.issuer,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: 'at+jwt',
        clockTolerance: 5,
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
    const { sub, sid, adm } = payload;
    if (!isUuid(sub) || !isUuid(sid)) throw new UnauthenticatedError('Invalid access token');
    if (this.revocations.isRevoked(sid)) throw new UnauthenticatedError('Session revoked');
    return { userId: sub, sessionId: sid, platformAdmin: adm === true };
  }
}

/** The JWKS endpoint could not be reached (as opposed to answering something wrong). */
function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}
