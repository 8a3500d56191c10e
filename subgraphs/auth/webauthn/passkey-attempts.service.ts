import { platformScope } from '../../../platform/db/scope';
import type { RequestContext } from '../../../platform/context/request-context';
import { RateLimitedError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { AuthServices } from '../auth-services';
import type { AuthAttemptKind, AuthOutcome } from '../metrics';

/** Counting and limiting attempts, and recording failed sign-ins. */
export type PasskeyAttemptsDeps = Pick<AuthServices, 'dataSource' | 'ipLimiter' | 'metrics'>;

/**
 * How every passkey ceremony accounts for its attempts: one metric per outcome, the per-IP
 * limit shared with the other sign-in methods, and a SIGN_IN_FAILED event naming the method.
 */
export class PasskeyAttempts {
  constructor(
    private readonly request: RequestContext,
    private readonly auth: PasskeyAttemptsDeps,
  ) {}

  /** Runs a parse step, counting its refusal as a malformed response. */
  guard<T>(kind: AuthAttemptKind, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      this.count(kind, 'invalid_response');
      throw error;
    }
  }

  async recordFailure(userId: string | null, reason: AuthOutcome): Promise<void> {
    await platformScope(this.auth.dataSource).run((manager) =>
      appendEvent(manager, {
        type: EventType.SIGN_IN_FAILED,
        tenantId: null,
        actor: null,
        payload: { userId, reason, method: 'passkey' },
      }),
    );
  }

  async limitByIp(kind: AuthAttemptKind): Promise<void> {
    const decision = await this.auth.ipLimiter.consume(this.request.ip ?? 'unknown');
    if (!decision.allowed) {
      this.count(kind, 'rate_limited');
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
  }

  count(kind: AuthAttemptKind, outcome: AuthOutcome): void {
    this.auth.metrics.attempts.inc({ kind, outcome });
  }
}
