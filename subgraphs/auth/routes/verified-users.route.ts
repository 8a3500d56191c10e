import { verifiedUsersCall } from '../../../platform/contracts/auth/verified-users';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { UserRepository } from '../repositories/user.repository';

/**
 * `POST /internal/users/verified`: the active, verified accounts behind some addresses, for
 * services that mail only a tenant's verified members (platform/contracts/auth/verified-users.ts).
 */
export function verifiedUsersRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, verifiedUsersCall, async ({ emails }) => ({
    users: await new UserRepository(runtime.dataSource.manager).findVerifiedByEmails(
      emails.map((email) => email.trim().toLowerCase()),
    ),
  }));
}
