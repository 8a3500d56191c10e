import { z } from 'zod';
import { appLinks } from '../../platform/config/app-links';
import {
  encryption,
  refuseDevelopmentEncryptionKeyInProduction,
} from '../../platform/config/encryption';
import { integer, list } from '../../platform/config/fields';
import {
  mail,
  requireExplicitMailTransportInProduction,
  requireSmtpUrlForSmtpTransport,
} from '../../platform/config/mail';
import { outbound, refuseMetadataCidrsInProduction } from '../../platform/config/outbound';
import type { SubgraphConfig } from '../../platform/subgraph/subgraph-service';
import { refuseHttpTrustedIssuersInProduction, trustedIssuers } from './oauth/oauth-trust.policy';
import { origins, requireOriginsWithinRpId, rpId } from './webauthn/webauthn.config';

/** The auth subgraph's own variables, validated together with the common ones. */
export const authConfigShape = {
  ...encryption,
  ...mail,
  ...outbound,
  ACCESS_TOKEN_TTL_SECONDS: integer(900, 60, 3600).describe('Lifetime of an access token (JWT).'),
  SESSION_TTL_DAYS: integer(30, 1, 365).describe(
    'A session (and its refresh tokens) ends this long after sign-in, however active.',
  ),
  MAX_SESSIONS_PER_USER: integer(10, 1, 1000).describe(
    'Signing in once more past this many live sessions ends the oldest one.',
  ),
  JWT_ISSUER: z
    .string()
    .min(1)
    .max(100)
    .default('tessera')
    .describe('`iss` and `aud` of access tokens.'),
  JWT_KEY_ROTATION_DAYS: integer(30, 1, 365).describe(
    'A signing key signs for this long, then only verifies until its last token expires.',
  ),
  PASSWORD_MIN_LENGTH: integer(10, 8, 128).describe('Shortest password accepted.'),
  EMAIL_VERIFICATION_TTL_MINUTES: integer(24 * 60, 5, 30 * 24 * 60).describe(
    'How long an email verification link works.',
  ),
  PASSWORD_RESET_TTL_MINUTES: integer(60, 5, 24 * 60).describe(
    'How long a password reset link works.',
  ),
  /** Where the links in verification and reset mails point (the frontend). */
  ...appLinks,
  SIGN_IN_FAILURES_PER_ACCOUNT: integer(5, 1, 1000).describe(
    'Password attempts per account address within the window (a correct one clears them); past it the address is locked until the window ends.',
  ),
  AUTH_ATTEMPTS_PER_IP: integer(50, 1, 100_000).describe(
    'Sign-in, reset and OAuth attempts per client IP within the window.',
  ),
  AUTH_RATE_WINDOW_SECONDS: integer(900, 1, 86_400).describe(
    'The window SIGN_IN_FAILURES_PER_ACCOUNT and AUTH_ATTEMPTS_PER_IP count in.',
  ),
  API_KEY_USAGE_FLUSH_SECONDS: integer(10, 1, 3600).describe(
    'API key `lastUsedAt` is written for all keys used in this interval at once.',
  ),
  WEBAUTHN_RP_ID: rpId('localhost').describe(
    "The domain passkeys are bound to: the frontends' host or a parent domain of it.",
  ),
  WEBAUTHN_RP_NAME: z
    .string()
    .min(1)
    .max(64)
    .default('Tessera')
    .describe('The name authenticators show when a passkey is created.'),
  WEBAUTHN_ORIGINS: origins('http://localhost:3000').describe(
    'Comma-separated origins whose WebAuthn responses are accepted, each on WEBAUTHN_RP_ID.',
  ),
  OAUTH_REDIRECT_ORIGINS: list(
    z.url({ protocol: /^https?$/, error: 'each entry must be an http(s) origin' }),
    'http://127.0.0.1:3000',
  )
    .transform((origins) => origins.map((origin) => new URL(origin).origin))
    .describe("Origins OAuth providers may send the browser back to (startOAuth's redirectUri)."),
  OAUTH_STATE_TTL_SECONDS: integer(600, 60, 3600).describe(
    'How long an OAuth sign-in may take between startOAuth and completeOAuth.',
  ),
  OAUTH_TRUSTED_ISSUERS: trustedIssuers().describe(
    "Comma-separated OIDC issuers whose email claims the operator trusts (e.g. https://accounts.google.com). A tenant's provider with one of these issuers (and no endpoints of its own) may sign a person in to the existing account with that verified email; every other provider only signs in accounts linked to it.",
  ),
  WEBAUTHN_CHALLENGE_TTL_SECONDS: integer(300, 30, 3600).describe(
    'How long a passkey challenge (and an MFA token after a password or OAuth) stays usable.',
  ),
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
