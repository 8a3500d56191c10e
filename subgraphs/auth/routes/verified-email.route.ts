import { verifiedEmailCall } from '../../../platform/contracts/auth/verified-email';
import { isUuid } from '../../../platform/graphql/ids';
import { type SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { UserRepository } from '../repositories/user.repository';

/**
 * `POST /internal/users/verified-email`: the address of the user the signed context names, and
 * whether it is verified, read now (platform/contracts/auth/verified-email.ts).
 */
export function verifiedEmailRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, verifiedEmailCall, async (_request, context) => {
    const userId = context.principal?.kind === 'user' ? context.principal.id : null;
    const user =
      userId && isUuid(userId)
        ? await new UserRepository(runtime.dataSource.manager).findById(userId.toLowerCase())
        : null;
    return {
      email: user?.email ?? null,
      verified: user?.emailVerified === true && user.status === 'ACTIVE',
    };
  });
}
