import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { KeyRing } from '../../platform/crypto/key-ring';
import type { Mailer } from '../../platform/mail/mailer';
import type { SlidingWindowLimiter } from '../../platform/rate-limit/sliding-window';
import type { RedisClient } from '../../platform/redis/connection';
import type { AuthConfig } from './config';
import type { ApiKeyVerifier } from './api-keys/api-key-verifier.service';
import type { OAuthProviderDirectory } from './oauth/oauth-provider-directory.client';
import type { OAuthStateStore } from './oauth/oauth-state.store';
import type { AuthMetrics } from './metrics';
import type { AccountLockout } from './credentials/account-lockout.store';
import type { RevocationAnnouncer } from './sessions/revocation-announcer.service';
import type { SessionIssuer } from './sessions/session-issuer.service';
import type { SigningKeySet } from './sessions/signing-key-set.service';

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
