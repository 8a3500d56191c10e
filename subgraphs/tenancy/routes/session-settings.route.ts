import { sessionCapCall } from '../../../platform/contracts/tenancy/session-cap';
import {
  SESSION_RETENTION_PAGE,
  sessionRetentionCall,
} from '../../../platform/contracts/tenancy/session-retention';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { SessionSettingsRepository } from '../repositories/session-settings.repository';

/** `POST /internal/session-cap`: the strictest session cap of a user's tenants, for auth. */
export function sessionCapRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, sessionCapCall, async ({ userId }) => ({
    maxSessionsPerUser: await new SessionSettingsRepository(runtime.dataSource.manager).capOf(
      userId,
    ),
  }));
}

/** `POST /internal/session-retention`: users whose tenants shorten their sessions' retention. */
export function sessionRetentionRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, sessionRetentionCall, async ({ after }) => ({
    users: await new SessionSettingsRepository(runtime.dataSource.manager).retentionOverrides(
      after?.toLowerCase() ?? null,
      SESSION_RETENTION_PAGE,
    ),
  }));
}
