import { ServiceUnavailableError } from '../errors/domain-errors';
import { Bulkhead } from './bulkhead';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import type { GuardMetrics } from './guard-metrics';

export interface TargetGuardOptions {
  /** The metrics' `target` label: one of a fixed set of names. */
  target: string;
  failureThreshold: number;
  coolDownMs: number;
  maxConcurrent: number;
  maxQueued: number;
  now: () => number;
  metrics?: GuardMetrics;
}

export type RefusalReason = 'open' | 'bulkhead_full';

/**
 * A call this process did not make, because its target's circuit is open or its bulkhead and
 * queue are full: `SERVICE_UNAVAILABLE` with `retryAfter` (seconds), like any other service
 * that cannot answer now.
 */
export class TargetUnavailableError extends ServiceUnavailableError {
  constructor(
    readonly target: string,
    readonly reason: RefusalReason,
    retryAfterMs: number,
  ) {
    super(
      `A service this request needs is unavailable (${target}); retry shortly`,
      Math.max(1, Math.ceil(retryAfterMs / 1000)),
    );
  }
}

/** How long a call refused by a full bulkhead is told to wait. */
const BULKHEAD_RETRY_MS = 1_000;

/**
 * One target's circuit breaker and bulkhead together. `run` refuses at once while the circuit
 * is open, then waits for a bulkhead slot (or is refused when the queue is full), then asks
 * the breaker again (it may have opened, or sent its probe, meanwhile) and runs the call.
 * `isFailure` says which errors count against the target (no answer, timeouts, 5xx), as
 * opposed to answers that only refuse this caller (4xx).
 */
export class TargetGuard {
  private readonly breaker: CircuitBreaker;
  private readonly bulkhead: Bulkhead;

  constructor(private readonly options: TargetGuardOptions) {
    const gauge = options.metrics?.state;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      coolDownMs: options.coolDownMs,
      now: options.now,
      onStateChange: (state) => gauge?.set({ target: options.target }, STATE_VALUES[state]),
    });
    gauge?.set({ target: options.target }, STATE_VALUES.closed);
    this.bulkhead = new Bulkhead({
      maxConcurrent: options.maxConcurrent,
      maxQueued: options.maxQueued,
    });
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    const early = this.breaker.refusal();
    if (early !== undefined) throw this.refuse('open', early);
    const slot = this.bulkhead.acquire();
    if (!slot) throw this.refuse('bulkhead_full', BULKHEAD_RETRY_MS);
    const release = await slot;
    try {
      const admission = this.breaker.admit();
      if (!admission.admitted) throw this.refuse('open', admission.retryAfterMs);
      try {
        const result = await call();
        this.breaker.succeeded(admission.probe);
        return result;
      } catch (error) {
        if (isFailure(error)) this.breaker.failed(admission.probe);
        else this.breaker.succeeded(admission.probe);
        throw error;
      }
    } finally {
      release();
    }
  }

  private refuse(reason: RefusalReason, retryAfterMs: number): TargetUnavailableError {
    this.options.metrics?.rejections.inc({ target: this.options.target, reason });
    return new TargetUnavailableError(this.options.target, reason, retryAfterMs);
  }
}

/** `tessera_circuit_state`'s values. */
const STATE_VALUES: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };
