import { isUuid, type SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import {
  VERIFIED_EMAIL_BODY_LIMIT_BYTES,
  verifiedEmailRequestSchema,
  type VerifiedEmailAnswer,
} from '../../../platform/auth';
import { UserRepository } from '../repositories/user.repository';

/**
 * `POST /internal/users/verified-email`: the address of the user the signed context names, and
 * whether it is verified, read now (see platform/auth/verified-email.ts).
 */
export function verifiedEmailRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'verified email lookup',
    bodyLimitBytes: VERIFIED_EMAIL_BODY_LIMIT_BYTES,
    schema: verifiedEmailRequestSchema,
    expected: '{}',
    handle: async (_request, context, res) => {
      const userId = context.principal?.kind === 'user' ? context.principal.id : null;
      const user =
        userId && isUuid(userId)
          ? await new UserRepository(runtime.dataSource.manager).findById(userId.toLowerCase())
          : null;
      const answer: VerifiedEmailAnswer = {
        email: user?.email ?? null,
        verified: user?.emailVerified === true && user.status === 'ACTIVE',
      };
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
