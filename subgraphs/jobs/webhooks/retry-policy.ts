const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/** `500ms`, `5s`, `5m`, `2h`, `1d` in milliseconds; null for anything else. */
export function parseDuration(value: string): number | null {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * UNITS[match[2]!]! : null;
}

/** ±20 %: deliveries that failed together (an endpoint outage) do not all retry together. */
const JITTER = 0.2;

export function withJitter(ms: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - JITTER + 2 * JITTER * random())));
}

/**
 * The wait before the next attempt after `runAttempts` failed attempts, or null when the
 * schedule is spent (the delivery is dead). A `Retry-After` (already capped) lengthens the
 * wait, never shortens it.
 */
export function nextRetryDelay(
  schedule: readonly number[],
  runAttempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  const scheduled = schedule[runAttempts - 1];
  if (scheduled === undefined) return null;
  return Math.max(withJitter(scheduled, random), retryAfterMs ?? 0);
}

/** A held delivery (its tenant suspended) looks again after a minute at first, hourly at most. */
const HOLD_RECHECK_MIN_MS = 60_000;
const HOLD_RECHECK_MAX_MS = 3_600_000;

/**
 * How long a delivery held for its suspended tenant waits before it looks again: as long as it
 * has waited so far, within a minute and an hour. Reinstatement sends held deliveries at once,
 * so this only bounds how long one missed by that waits, and how often long suspensions wake.
 */
export function holdRecheckDelay(heldSince: Date | null, now: number = Date.now()): number {
  const waited = heldSince === null ? 0 : now - heldSince.getTime();
  return Math.min(Math.max(waited, HOLD_RECHECK_MIN_MS), HOLD_RECHECK_MAX_MS);
}

/**
 * `Retry-After` as delay-seconds or an HTTP date, in milliseconds from `now`, capped at
 * `maxMs`; null when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  maxMs: number,
  now: number = Date.now(),
): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  let ms: number;
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1_000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/[a-z]/i.test(text)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), maxMs);
}
