import {
  SESSION_RETENTION_PAGE,
  sessionRetentionCall,
  type SessionRetentionAnswer,
} from '../../../platform/contracts/tenancy/session-retention';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { countDeleted } from '../../../platform/subgraph/routes/retention-purge.route';

/**
 * The sessions purge's second pass: the ended sessions of users whose tenants keep them for
 * less than the platform default (`retentionDays.sessions`, the shortest of a user's tenants
 * wins). Tenancy names those users a page at a time; each page is one bounded DELETE. Users of
 * no such tenant were handled by the first pass, at the platform default.
 */
export async function purgeSessionsOfShorterRetention(
  runtime: SubgraphRuntime,
  batch: number,
): Promise<number> {
  let after: string | null = null;
  let deleted = 0;
  for (;;) {
    const { users }: SessionRetentionAnswer = await runtime.internal.call(sessionRetentionCall, {
      after,
    });
    if (users.length > 0) {
      deleted += await countDeleted(
        runtime.dataSource,
        `DELETE FROM auth.sessions WHERE id IN (
           SELECT s.id FROM auth.sessions s
             JOIN unnest($1::uuid[], $2::integer[]) AS u (user_id, days) ON u.user_id = s.user_id
            WHERE s.expires_at < now() - make_interval(days => u.days)
               OR s.revoked_at < now() - make_interval(days => u.days)
            LIMIT $3 FOR UPDATE OF s SKIP LOCKED)
         RETURNING 1`,
        [users.map((user) => user.userId), users.map((user) => user.days), batch],
      );
    }
    if (users.length < SESSION_RETENTION_PAGE) return deleted;
    after = users[users.length - 1]!.userId;
  }
}
