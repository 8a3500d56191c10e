import { EventType } from '../../../platform/events/event-types';

/**
 * The journal events the audit log shows: who got in or failed to, sessions and credentials
 * ended, keys and secrets changed, roles and tenants changed, and what administrators did.
 * Everything else in the journal (assets, deliveries, alerts firing) is activity, not audit.
 */
export const AUDIT_ACTIONS: readonly string[] = [
  // Signing in and the account's credentials
  EventType.SIGN_IN_FAILED,
  EventType.SESSION_REVOKED,
  EventType.SESSIONS_REVOKED,
  EventType.PASSWORD_CHANGED,
  EventType.PASSWORD_RESET,
  EventType.MFA_ENABLED,
  EventType.MFA_DISABLED,
  EventType.PASSKEY_REGISTERED,
  EventType.PASSKEY_REMOVED,
  EventType.OAUTH_LINKED,
  EventType.OAUTH_UNLINKED,
  EventType.ACCOUNT_DEACTIVATED,
  // API keys
  EventType.API_KEY_CREATED,
  EventType.API_KEY_ROTATED,
  EventType.API_KEY_REVOKED,
  // Roles and tenants
  EventType.TENANT_CREATED,
  EventType.TENANT_UPDATED,
  EventType.TENANT_DELETED,
  EventType.TENANT_SETTINGS_UPDATED,
  EventType.MEMBER_INVITED,
  EventType.MEMBER_JOINED,
  EventType.MEMBER_ROLE_CHANGED,
  EventType.MEMBER_REMOVED,
  EventType.MEMBER_LEFT,
  EventType.INVITATION_REVOKED,
  EventType.OAUTH_PROVIDER_CONFIGURED,
  EventType.OAUTH_PROVIDER_REMOVED,
  // Webhook endpoints and their secrets
  EventType.WEBHOOK_ENDPOINT_CREATED,
  EventType.WEBHOOK_ENDPOINT_UPDATED,
  EventType.WEBHOOK_ENDPOINT_DELETED,
  EventType.WEBHOOK_ENDPOINT_SECRET_ROTATED,
  EventType.WEBHOOK_ENDPOINT_DISABLED,
  // Administrators' actions (platform admins, and tenant admins on jobs and alerting)
  EventType.USER_STATUS_CHANGED,
  EventType.TENANT_STATUS_CHANGED,
  EventType.JOB_CANCELLED,
  EventType.JOB_RETRIED,
  EventType.DEAD_LETTER_REPLAYED,
  EventType.ALERT_RULE_CREATED,
  EventType.ALERT_RULE_UPDATED,
  EventType.ALERT_RULE_DELETED,
  EventType.ALERT_ACKNOWLEDGED,
];

const ACTIONS = new Set(AUDIT_ACTIONS);

export function isAuditAction(value: string): boolean {
  return ACTIONS.has(value);
}

/** Payload keys that name what an action was done to, most specific first, with its kind. */
const TARGET_KEYS: readonly [key: string, kind: string][] = [
  ['apiKeyId', 'apiKey'],
  ['sessionId', 'session'],
  ['endpointId', 'webhookEndpoint'],
  ['ruleId', 'alertRule'],
  ['alertId', 'alert'],
  ['invitationId', 'invitation'],
  ['deadLetterId', 'deadLetter'],
  ['jobId', 'job'],
  ['passkeyId', 'passkey'],
  ['provider', 'oauthProvider'],
  ['userId', 'user'],
  ['tenantId', 'tenant'],
];

/** What the action was done to, as `kind:id` (e.g. `apiKey:…`), when the payload says. */
export function targetOf(payload: Record<string, unknown>): string | null {
  for (const [key, kind] of TARGET_KEYS) {
    const value = payload[key];
    if (typeof value === 'string' && value.length > 0) return `${kind}:${value.slice(0, 200)}`;
  }
  return null;
}
