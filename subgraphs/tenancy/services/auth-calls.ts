import { revokeApiKeysOfCreatorCall } from '../../../platform/contracts/auth/api-key-revocation';
import {
  verifiedEmailCall,
  type VerifiedEmailAnswer,
} from '../../../platform/contracts/auth/verified-email';
import type { RequestContext } from '../../../platform/context/request-context';
import type { InternalClient } from '../../../platform/internal-calls/client';

/**
 * Tenancy's calls to the auth process, each signed with the request it serves (so auth
 * answers only about that request's user and tenant). Any failure is the client's coded
 * SERVICE_UNAVAILABLE: the mutation that needed the answer does nothing.
 */
export class AuthCalls {
  constructor(private readonly internal: Pick<InternalClient, 'call'>) {}

  /** The signed-in user's address as auth knows it now, and whether it is verified. */
  verifiedEmail(request: RequestContext): Promise<VerifiedEmailAnswer> {
    return this.internal.call(verifiedEmailCall, {}, { context: request });
  }

  /** Revokes every live API key `userId` created in `tenantId`; the revoked keys' ids. */
  async revokeApiKeysOf(
    request: RequestContext,
    tenantId: string,
    userId: string,
  ): Promise<string[]> {
    const answer = await this.internal.call(
      revokeApiKeysOfCreatorCall,
      { tenantId, userId },
      { context: request },
    );
    return answer.revoked;
  }
}
