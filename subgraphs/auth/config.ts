import { z } from 'zod';
import {
  appLinks,
  encryption,
  integer,
  list,
  mail,
  outbound,
  refuseMetadataCidrsInProduction,
  refuseDevelopmentEncryptionKeyInProduction,
  requireExplicitMailTransportInProduction,
  requireSmtpUrlForSmtpTransport,
} from '../../platform/config';
import type { SubgraphConfig } from '../../platform/graphql';
import { refuseHttpTrustedIssuersInProduction, trustedIssuers } from './oauth-trust';
import { origins, requireOriginsWithinRpId, rpId } from './webauthn-config';

/** The auth subgraph's own variables, validated together with the common ones. */
export const authConfigShape = {
  ...encryption,
  ...mail,
  ...outbound,
  /** Lifetime of an access token (JWT). */
  ACCESS_TOKEN_TTL_SECONDS: integer(900, 60, 3600),
  /** A session (and its refresh tokens) ends this long after sign-in, however active. */
  SESSION_TTL_DAYS: integer(30, 1, 365),
  /** Signing in once more past this many live sessions ends the oldest one. */
  MAX_SESSIONS_PER_USER: integer(10, 1, 1000),
  /** `iss` and `aud` of access tokens. */
  JWT_ISSUER: z.string().min(1).max(100).default('tessera'),
  /** A signing key signs for this long, then only verifies until its last token expires. */
  JWT_KEY_ROTATION_DAYS: integer(30, 1, 365),
  PASSWORD_MIN_LENGTH: integer(10, 8, 128),
  EMAIL_VERIFICATION_TTL_MINUTES: integer(24 * 60, 5, 30 * 24 * 60),
  PASSWORD_RESET_TTL_MINUTES: integer(60, 5, 24 * 60),
  /** Where the links in verification and reset mails point (the frontend). */
  ...appLinks,
  /**
   * Password attempts per account address within the window (a correct one clears them);
   * past it the address is locked until the window ends.
   */
  SIGN_IN_FAILURES_PER_ACCOUNT: integer(5, 1, 1000),
  /** Sign-in, reset and OAuth attempts per client IP within the window. */
  AUTH_ATTEMPTS_PER_IP: integer(50, 1, 100_000),
  AUTH_RATE_WINDOW_SECONDS: integer(900, 1, 86_400),
  /** API key `lastUsedAt` is written for all keys used in this interval at once. */
  API_KEY_USAGE_FLUSH_SECONDS: integer(10, 1, 3600),
  /** The domain passkeys are bound to: the frontends' host or a parent domain of it. */
  WEBAUTHN_RP_ID: rpId('localhost'),
  /** The name authenticators show when a passkey is created. */
  WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('Tessera'),
  /** Comma-separated origins whose WebAuthn responses are accepted, each on WEBAUTHN_RP_ID. */
  WEBAUTHN_ORIGINS: origins('http://localhost:3000'),
  /** Origins OAuth providers may send the browser back to (startOAuth's redirectUri). */
  OAUTH_REDIRECT_ORIGINS: list(
    z.url({ protocol: /^https?$/, error: 'each entry must be an http(s) origin' }),
    'http://127.0.0.1:3000',
  ).transform((origins) => origins.map((origin) => new URL(origin).origin)),
  /** How long an OAuth sign-in may take between startOAuth and completeOAuth. */
  OAUTH_STATE_TTL_SECONDS: integer(600, 60, 3600),
  /**
   * Comma-separated OIDC issuers whose email claims the operator trusts (e.g.
   * https://accounts.google.com). A tenant's provider with one of these issuers (and no
   * endpoints of its own) may sign a person in to the existing account with that verified
   * email; every other provider only signs in accounts linked to it.
   */
  OAUTH_TRUSTED_ISSUERS: trustedIssuers(),
  /** How long a passkey challenge (and an MFA token after a password or OAuth) stays usable. */
  WEBAUTHN_CHALLENGE_TTL_SECONDS: integer(300, 30, 3600),
};

export type AuthConfig = SubgraphConfig & z.infer<z.ZodObject<typeof authConfigShape>>;

export const authConfigRules = [
  refuseDevelopmentEncryptionKeyInProduction,
  requireSmtpUrlForSmtpTransport,
  requireExplicitMailTransportInProduction,
  requireOriginsWithinRpId,
  refuseMetadataCidrsInProduction,
  refuseHttpTrustedIssuersInProduction,
];
