import { Counter, type Registry } from 'prom-client';

export const AUTH_ATTEMPT_KINDS = [
  'sign_up',
  'sign_in',
  'refresh',
  'password_reset',
  'verify_email',
  'change_password',
  'api_key',
  'passkey_registration',
  'passkey_sign_in',
  'mfa',
  'oauth',
] as const;
export type AuthAttemptKind = (typeof AUTH_ATTEMPT_KINDS)[number];

/** `ok`, or why it failed: a closed set, as these are label values. */
export type AuthOutcome =
  | 'ok'
  | 'bad_credentials'
  | 'locked'
  | 'rate_limited'
  | 'inactive'
  | 'invalid_token'
  | 'token_reuse'
  | 'conflict'
  | 'weak_password'
  | 'mfa_required'
  | 'invalid_response'
  | 'counter_regression'
  | 'limit_reached';

export interface AuthMetrics {
  attempts: Counter<'kind' | 'outcome'>;
  sessionsRevoked: Counter<'reason'>;
}

export function createAuthMetrics(registry: Registry): AuthMetrics {
  return {
    attempts: new Counter({
      name: 'tessera_auth_attempts_total',
      help: 'Authentication attempts by kind and outcome (ok or the reason it failed).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    sessionsRevoked: new Counter({
      name: 'tessera_auth_sessions_revoked_total',
      help: 'Sessions ended before their expiry, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
