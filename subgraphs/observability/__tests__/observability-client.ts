import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import type { TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';
import { TEST_REDIS_URL } from '../../../testing/services';

import { AUDIT_ACTIONS } from '../audit/audit-actions';

/**
 * Until the observability process's recorder has copied every audited journal event into the
 * audit trail (it runs in the background, every AUDIT_RECORD_INTERVAL_MS).
 */
export function auditTrailCaughtUp(db: TestDatabase): Promise<true> {
  return eventually(async () => {
    const [row] = await db.query<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM events.events e
        WHERE e.type = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM observability.audit_entries a WHERE a.event_id = e.id)`,
      [AUDIT_ACTIONS],
    );
    return row!.missing === 0;
  });
}

/** Helpers shared by the observability tests: one gateway URL, coded answers. */
export function gqlClient(gatewayUrl: () => string) {
  return function gql<T = Record<string, unknown>>(
    query: string,
    headers: Record<string, string> = {},
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(gatewayUrl(), { query, variables }, headers);
  };
}

/** The fields every alert-rule test reads back. */
export const RULE_FIELDS =
  'id name metric comparator threshold forSeconds severity channels enabled disabledReason';

/** A valid AlertRuleInput named `<prefix>-<random>`, changed by `overrides`. */
export function ruleInput(prefix: string, overrides: Record<string, unknown> = {}) {
  return {
    name: `${prefix}-${randomUUID().slice(0, 8)}`,
    metric: 'tessera_journal_events_total',
    comparator: '>',
    threshold: 60,
    forSeconds: 300,
    severity: 'WARNING',
    channels: ['log'],
    ...overrides,
  };
}

/** Alerting as the end-to-end tests run it: a round every second, two quick tries per send. */
export const FAST_ALERTING = {
  ALERT_EVALUATION_INTERVAL_SECONDS: '1',
  ALERT_DISPATCH_ATTEMPTS: '2',
  ALERT_DISPATCH_BACKOFF_MS: '100',
};

/** A tenant rule that holds once it has a baseline: a journal's rate is never negative. */
export const ALWAYS_HOLDS = {
  metric: 'tessera_journal_events_total',
  comparator: '>=',
  threshold: 0,
  forSeconds: 0,
};

/** A stack's `alerts` queue on a Redis connection of its own; `close` ends both. */
export function openAlertsQueue(redisPrefix: string): { queue: Queue; close(): Promise<void> } {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueName.ALERTS, {
    connection: redis,
    prefix: queuePrefix(redisPrefix),
  });
  return {
    queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
