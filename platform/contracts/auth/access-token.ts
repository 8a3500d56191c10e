/** What an access token (JWT) says, beyond the registered claims. */
export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  /** The session id: revoking the session revokes the token. */
  sid: string;
  /** Present and true for platform administrators. */
  adm?: true;
}

export const ACCESS_TOKEN_ALGORITHM = 'ES256';
export const JWKS_PATH = '/.well-known/jwks.json';
