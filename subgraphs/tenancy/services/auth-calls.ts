import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  API_KEYS_OF_CREATOR_REVOKE_PATH,
  revokeApiKeysOfCreatorAnswerSchema,
  VERIFIED_EMAIL_PATH,
  verifiedEmailAnswerSchema,
  type VerifiedEmailAnswer,
} from '../../../platform/auth';
import { signContext, type RequestContext } from '../../../platform/context';
import { ServiceUnavailableError } from '../../../platform/errors';
import { traceCarrier } from '../../../platform/observability/tracing';

/** How long tenancy waits for auth before the mutation answers SERVICE_UNAVAILABLE. */
const AUTH_CALL_TIMEOUT_MS = 2_000;

/**
 * Tenancy's calls to the auth process, each signed with the request it serves (so auth
 * answers only about that request's user and tenant). Any failure, whether auth is
 * unreachable, refuses or answers nonsense, is SERVICE_UNAVAILABLE: the mutation that needed
 * the answer does nothing.
 */
export class AuthCalls {
  constructor(
    private readonly authUrl: string,
    private readonly signingSecret: string,
    private readonly logger: Logger,
  ) {}

  /** The signed-in user's address as auth knows it now, and whether it is verified. */
  verifiedEmail(request: RequestContext): Promise<VerifiedEmailAnswer> {
    return this.call(request, VERIFIED_EMAIL_PATH, {}, verifiedEmailAnswerSchema, 'address check');
  }

  /** Revokes every live API key `userId` created in `tenantId`; the revoked keys' ids. */
  async revokeApiKeysOf(request: RequestContext, tenantId: string, userId: string) {
    const answer = await this.call(
      request,
      API_KEYS_OF_CREATOR_REVOKE_PATH,
      { tenantId, userId },
      revokeApiKeysOfCreatorAnswerSchema,
      'API key revocation',
    );
    return answer.revoked;
  }

  private async call<TAnswer extends z.ZodType>(
    request: RequestContext,
    path: string,
    body: unknown,
    answer: TAnswer,
    what: string,
  ): Promise<z.infer<TAnswer>> {
    try {
      const response = await fetch(new URL(path, this.authUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': request.requestId,
          ...signContext(request, this.signingSecret),
          ...traceCarrier(),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(AUTH_CALL_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`auth answered HTTP ${response.status}`);
      return answer.parse(await response.json());
    } catch (error) {
      this.logger.warn({ err: error, path }, `${what} with auth failed`);
      throw new ServiceUnavailableError(`Cannot reach the auth service for the ${what}; retry`);
    }
  }
}
