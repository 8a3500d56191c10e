import { sessionCapCall } from '../../../platform/contracts/tenancy/session-cap';
import type { SubgraphRuntime } from '../../../platform/graphql';
import { signedJsonRoute, type RequestHandler } from '../../../platform/http';
import { SessionCapRepository } from '../repositories/session-cap.repository';

/** `POST /internal/session-cap`: the strictest session cap of a user's tenants, for auth. */
export function sessionCapRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, sessionCapCall, async ({ userId }) => ({
    maxSessionsPerUser: await new SessionCapRepository(runtime.dataSource.manager).capOf(userId),
  }));
}
