/** What a call refused while the probe is out is told to wait. */
const PROBE_WAIT_MS = 1_000;

/** Closed: calls go through. Open: calls are refused until the cool-down ends. Half-open: one probe. */
export type CircuitState = 'closed' | 'half-open' | 'open';

export interface CircuitBreakerOptions {
  /** Consecutive failures (errors or timeouts) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one probe through. */
  coolDownMs: number;
  /** Milliseconds since some fixed point; injected so tests drive time themselves. */
  now: () => number;
  /** Called on every change of state (the state gauge follows it). */
  onStateChange?: (state: CircuitState) => void;
}

/**
 * What `admit` answers: go ahead (as the half-open circuit's probe, or not), or wait this long
 * before asking again. The caller reports the outcome with the same `probe` flag.
 */
export type Admission =
  { admitted: true; probe: boolean } | { admitted: false; retryAfterMs: number };

/**
 * A circuit breaker's state machine, with no timers of its own: time is read from the
 * injected clock whenever a call asks to be admitted. After `failureThreshold` consecutive
 * failures it opens; once `coolDownMs` has passed, the next call is let through alone as a
 * probe (half-open) while the others are still refused; the probe's success closes the
 * circuit, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.current;
  }

  /**
   * How long a call would be told to wait if it asked now, with no change of state; undefined
   * when it might be admitted. Lets a caller refuse before queueing for anything else.
   */
  refusal(): number | undefined {
    if (this.current === 'open') {
      const remaining = this.openedAt + this.options.coolDownMs - this.options.now();
      return remaining > 0 ? remaining : undefined;
    }
    return this.current === 'half-open' && this.probeInFlight ? PROBE_WAIT_MS : undefined;
  }

  admit(): Admission {
    if (this.current === 'closed') return { admitted: true, probe: false };
    const retryAfterMs = this.refusal();
    if (retryAfterMs !== undefined) return { admitted: false, retryAfterMs };
    if (this.current === 'open') this.moveTo('half-open');
    this.probeInFlight = true;
    return { admitted: true, probe: true };
  }

  /**
   * An admitted call got a good answer. Only the probe closes a circuit that is not closed: a
   * call admitted before it opened and answered late says little about the target now.
   */
  succeeded(probe: boolean): void {
    if (probe) {
      this.probeInFlight = false;
      this.consecutiveFailures = 0;
      this.moveTo('closed');
    } else if (this.current === 'closed') {
      this.consecutiveFailures = 0;
    }
  }

  /** An admitted call failed or timed out. */
  failed(probe: boolean): void {
    if (probe) {
      this.probeInFlight = false;
      this.open();
      return;
    }
    if (this.current !== 'closed') return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
    this.openedAt = this.options.now();
    this.moveTo('open');
  }

  private moveTo(state: CircuitState): void {
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
