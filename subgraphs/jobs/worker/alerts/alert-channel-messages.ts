import type { AlertDispatchJob } from '../../../../platform/contracts/observability/alert-dispatch-job';

/** Slack's incoming-webhook body: `text` (notifications, fallbacks) and Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks: {
    type: 'section' | 'context';
    text?: { type: 'mrkdwn'; text: string };
    elements?: { type: 'mrkdwn'; text: string }[];
  }[];
}

/** A PagerDuty Events API v2 event (https://developer.pagerduty.com/api-reference). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  /** The alert's id: its resolve closes the incident its trigger opened, whatever retries. */
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'warning' | 'info';
    timestamp: string;
    component: string;
    custom_details: Record<string, unknown>;
  };
}

/** Slack reads `&`, `<` and `>` as markup; a rule's message is the tenant's text. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function headline(notification: AlertDispatchJob): string {
  const state = notification.transition === 'fired' ? 'FIRING' : 'RESOLVED';
  return `[${state}] [${notification.severity}] ${notification.ruleName}: ${notification.message}`;
}

export function slackMessage(notification: AlertDispatchJob): SlackMessage {
  const facts = [
    `Metric: \`${notification.metric}\``,
    `Value: ${notification.value ?? 'no data'}`,
    `Fired at: ${notification.firedAt}`,
    ...(notification.resolvedAt ? [`Resolved at: ${notification.resolvedAt}`] : []),
    `Alert: ${notification.alertId}`,
  ];
  return {
    text: escapeSlack(headline(notification)).slice(0, 3000),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeSlack(headline(notification)).slice(0, 2900)}*` },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(facts.join(' · ')) }] },
    ],
  };
}

const PAGERDUTY_SEVERITY = { CRITICAL: 'critical', WARNING: 'warning', INFO: 'info' } as const;

/** A trigger when the alert fires, a resolve of the same dedup_key when it resolves. */
export function pagerDutyEvent(notification: AlertDispatchJob, routingKey: string): PagerDutyEvent {
  const event: PagerDutyEvent = {
    routing_key: routingKey,
    event_action: notification.transition === 'fired' ? 'trigger' : 'resolve',
    dedup_key: notification.alertId,
  };
  if (notification.transition === 'resolved') return event;
  return {
    ...event,
    payload: {
      // PagerDuty truncates at 1024 characters; cut first so nothing is rejected.
      summary: headline(notification).slice(0, 1024),
      source:
        notification.tenantId === null ? 'tessera' : `tessera tenant ${notification.tenantId}`,
      severity: PAGERDUTY_SEVERITY[notification.severity],
      timestamp: notification.firedAt,
      component: notification.metric.slice(0, 200),
      custom_details: {
        rule: notification.ruleName,
        ruleId: notification.ruleId,
        alertId: notification.alertId,
        value: notification.value,
      },
    },
  };
}
