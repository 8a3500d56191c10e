import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { KeyRing } from '../../../platform/crypto';
import type { Mailer } from '../../../platform/mail';
import type { SlidingWindowLimiter } from '../../../platform/rate-limit';
import type { RedisClient } from '../../../platform/redis';
import type { AuthConfig } from '../config';
import type { ApiKeyVerifier } from './api-key-verifier';
import type { OAuthProviderDirectory } from './oauth-providers';
import type { OAuthStateStore } from './oauth-state';
import type { AuthMetrics } from '../metrics';
import type { AccountLockout } from './lockout';
import type { RevocationAnnouncer } from './revocation-announcer';
import type { SessionIssuer } from './session-issuer';
import type { SigningKeySet } from './signing-keys';

/** What the auth process builds once and every request's services share. */
export interface AuthServices {
  config: AuthConfig;
  dataSource: DataSource;
  logger: Logger;
  metrics: AuthMetrics;
  keyRing: KeyRing;
  keys: SigningKeySet;
  issuer: SessionIssuer;
  revocations: RevocationAnnouncer;
  lockout: AccountLockout;
  /** Sign-in, sign-up, reset and OAuth attempts per client IP. */
  ipLimiter: SlidingWindowLimiter;
  /** Reset and verification mails per account, so nobody can mail-bomb an address. */
  mailLimiter: SlidingWindowLimiter;
  mailer: Mailer;
  redis: RedisClient;
  apiKeys: ApiKeyVerifier;
  oauthStates: OAuthStateStore;
  oauthProviders: OAuthProviderDirectory;
}
