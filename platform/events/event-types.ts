/**
 * Every domain event type, in one place: `<owner>.<entity>.<what happened>`, lower case with
 * underscores, matching the CHECK on events.events.type. Subscribers, webhooks and the relay
 * match on these strings, so a published name never changes; add new ones instead.
 */
export const EventType = {
  // auth
  USER_SIGNED_UP: 'auth.user.signed_up',
  SIGN_IN_SUCCEEDED: 'auth.sign_in.succeeded',
  SIGN_IN_FAILED: 'auth.sign_in.failed',
  SESSION_REVOKED: 'auth.session.revoked',
  SESSIONS_REVOKED: 'auth.sessions.revoked',
  PASSWORD_CHANGED: 'auth.password.changed',
  PASSWORD_RESET_REQUESTED: 'auth.password_reset.requested',
  PASSWORD_RESET: 'auth.password.reset',
  EMAIL_VERIFICATION_REQUESTED: 'auth.email_verification.requested',
  EMAIL_VERIFIED: 'auth.email.verified',
  USER_STATUS_CHANGED: 'auth.user.status_changed',
  PROFILE_UPDATED: 'auth.user.profile_updated',
  ACCOUNT_DEACTIVATED: 'auth.user.deactivated',
  API_KEY_CREATED: 'auth.api_key.created',
  API_KEY_ROTATED: 'auth.api_key.rotated',
  API_KEY_REVOKED: 'auth.api_key.revoked',
  PASSKEY_REGISTERED: 'auth.passkey.registered',
  PASSKEY_REMOVED: 'auth.passkey.removed',
  OAUTH_LINKED: 'auth.oauth.linked',
  OAUTH_UNLINKED: 'auth.oauth.unlinked',
  MFA_CHALLENGED: 'auth.mfa.challenged',
  MFA_ENABLED: 'auth.mfa.enabled',
  MFA_DISABLED: 'auth.mfa.disabled',

  // tenancy
  TENANT_CREATED: 'tenancy.tenant.created',
  TENANT_UPDATED: 'tenancy.tenant.updated',
  TENANT_DELETED: 'tenancy.tenant.deleted',
  TENANT_SETTINGS_UPDATED: 'tenancy.tenant.settings_updated',
  TENANT_STATUS_CHANGED: 'tenancy.tenant.status_changed',
  MEMBER_INVITED: 'tenancy.member.invited',
  MEMBER_JOINED: 'tenancy.member.joined',
  MEMBER_ROLE_CHANGED: 'tenancy.member.role_changed',
  MEMBER_REMOVED: 'tenancy.member.removed',
  MEMBER_LEFT: 'tenancy.member.left',
  INVITATION_REVOKED: 'tenancy.invitation.revoked',
  OAUTH_PROVIDER_CONFIGURED: 'tenancy.oauth_provider.configured',
  OAUTH_PROVIDER_REMOVED: 'tenancy.oauth_provider.removed',

  // assets
  ASSET_CREATED: 'assets.asset.created',
  ASSET_COMPLETED: 'assets.asset.completed',
  ASSET_UPDATED: 'assets.asset.updated',
  ASSET_DELETED: 'assets.asset.deleted',
  ASSET_RESTORED: 'assets.asset.restored',

  // jobs
  WEBHOOK_ENDPOINT_CREATED: 'jobs.webhook_endpoint.created',
  WEBHOOK_ENDPOINT_UPDATED: 'jobs.webhook_endpoint.updated',
  WEBHOOK_ENDPOINT_DELETED: 'jobs.webhook_endpoint.deleted',
  WEBHOOK_ENDPOINT_VERIFIED: 'jobs.webhook_endpoint.verified',
  WEBHOOK_ENDPOINT_SECRET_ROTATED: 'jobs.webhook_endpoint.secret_rotated',
  /** By the delivery worker: the endpoint answered 410 Gone, or failed for too long. */
  WEBHOOK_ENDPOINT_DISABLED: 'jobs.webhook_endpoint.disabled',
  WEBHOOK_ENDPOINT_REPLAY_REQUESTED: 'jobs.webhook_endpoint.replay_requested',
  WEBHOOK_ENDPOINT_TEST_SENT: 'jobs.webhook_endpoint.test_sent',
  WEBHOOK_DELIVERY_RETRY_REQUESTED: 'jobs.webhook.delivery.retry_requested',
  WEBHOOK_DELIVERY_SUCCEEDED: 'jobs.webhook.delivery.succeeded',
  WEBHOOK_DELIVERY_FAILED: 'jobs.webhook.delivery.failed',
  WEBHOOK_DELIVERY_DEAD: 'jobs.webhook.delivery.dead',
  /** Any queue's job that failed for good (attempts spent, or stalled out): now a dead letter. */
  JOB_DEAD_LETTERED: 'jobs.job.dead_lettered',
  JOB_CANCELLED: 'jobs.job.cancelled',
  JOB_RETRIED: 'jobs.job.retried',
  DEAD_LETTER_REPLAYED: 'jobs.dead_letter.replayed',
  /** Platform events: a retention purge run ended, with what it deleted (or why it failed). */
  PURGE_RUN_FINISHED: 'jobs.purge_run.finished',
  PURGE_RUN_FAILED: 'jobs.purge_run.failed',

  // observability
  ALERT_FIRED: 'observability.alert.fired',
  ALERT_RESOLVED: 'observability.alert.resolved',
  ALERT_ACKNOWLEDGED: 'observability.alert.acknowledged',
  ALERT_RULE_CREATED: 'observability.alert_rule.created',
  ALERT_RULE_UPDATED: 'observability.alert_rule.updated',
  ALERT_RULE_DELETED: 'observability.alert_rule.deleted',
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** The same pattern as the CHECK constraint on events.events.type. */
export const EVENT_TYPE_PATTERN = /^[a-z_]+(\.[a-z_]+)+$/;

const KNOWN = new Set<string>(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && KNOWN.has(value);
}
