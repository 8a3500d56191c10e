import {
  VERIFIED_USERS_BODY_LIMIT_BYTES,
  verifiedUsersRequestSchema,
  type VerifiedUsersAnswer,
} from '../../../platform/auth';
import type { SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import { UserRepository } from '../repositories/user.repository';

/**
 * `POST /internal/users/verified`: the active, verified accounts behind some addresses, for
 * services that mail only a tenant's verified members (see platform/auth/verified-users.ts).
 */
export function verifiedUsersRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'verified users lookup',
    bodyLimitBytes: VERIFIED_USERS_BODY_LIMIT_BYTES,
    schema: verifiedUsersRequestSchema,
    expected: '{"emails": [address, ...]}',
    handle: async ({ emails }, _context, res) => {
      const answer: VerifiedUsersAnswer = {
        users: await new UserRepository(runtime.dataSource.manager).findVerifiedByEmails(
          emails.map((email) => email.trim().toLowerCase()),
        ),
      };
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
