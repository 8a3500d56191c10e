import { tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import {
  countDeleted,
  type RetentionPurgeHandlers,
} from '../../platform/subgraph/routes/retention-purge.route';
import { PurgeTarget } from '../../platform/contracts/jobs/purge-targets';
import { purgeSessionsOfShorterRetention } from './sessions/session-retention.service';

/**
 * Auth's retention purges (platform/contracts/jobs/purge-targets.ts): sessions that expired or were revoked before
 * the cutoff (the platform default), or before a shorter `retentionDays.sessions` of one of
 * their user's tenants (sessions/session-retention.service.ts), whose refresh tokens go with them (ON DELETE
 * CASCADE), and email tokens used or expired before the cutoff. API keys are
 * the tenant's: those revoked or expired before the cutoff go tenant by tenant, under row-level
 * security (a key they replaced keeps no link to them: ON DELETE SET NULL). Revoked
 * sessions stay announced to gateways only while access tokens live (minutes), far inside
 * any retention.
 */
export function authRetentionPurge(runtime: SubgraphRuntime): RetentionPurgeHandlers {
  const { dataSource } = runtime;
  return {
    [PurgeTarget.SESSIONS]: async ({ before, batch }) => {
      const atDefault = await countDeleted(
        dataSource,
        `DELETE FROM auth.sessions WHERE id IN (
           SELECT id FROM auth.sessions WHERE expires_at < $1 OR revoked_at < $1
            LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1`,
        [before, batch],
      );
      // A full batch: the route calls again, the second pass runs once the first is done.
      if (atDefault >= batch) return atDefault;
      return atDefault + (await purgeSessionsOfShorterRetention(runtime, batch));
    },
    [PurgeTarget.API_KEYS]: ({ tenantId, before, batch }) =>
      tenantScope(dataSource, tenantId!).run((manager) =>
        countDeleted(
          manager,
          `DELETE FROM auth.api_keys WHERE id IN (
             SELECT id FROM auth.api_keys WHERE revoked_at < $1 OR expires_at < $1
              LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING 1`,
          [before, batch],
        ),
      ),
    [PurgeTarget.EMAIL_TOKENS]: ({ before, batch }) =>
      countDeleted(
        dataSource,
        `DELETE FROM auth.email_tokens WHERE id IN (
           SELECT id FROM auth.email_tokens WHERE expires_at < $1 OR used_at < $1
            LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1`,
        [before, batch],
      ),
  };
}
