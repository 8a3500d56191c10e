import { appendFileSync } from 'node:fs';
import { format } from 'node:util';

export interface ScenarioFigures {
  scenario: string;
  /** Events committed to the journal during the scenario. */
  eventsWritten: number;
  /** Distinct events the subscribers got (summed over subscribers). */
  eventsReceived: number;
  /** Messages delivered to subscribers, repeats included. */
  deliveries: number;
  duplicates: number;
  /** Committed events some subscriber never got: must be 0. */
  lost: number;
  /** From the fault's repair (or the kill) until the system was whole again, in ms. */
  recoveryMs: number | null;
  /** Anything else worth a figure: requests, codes seen, reconnects. */
  notes?: string;
}

/**
 * Prints the scenario's one line (the figures docs/reliability.md's table quotes) and, when
 * CHAOS_REPORT names a file, appends them to it as a JSON line for CI to summarize.
 */
export function reportScenario(figures: ScenarioFigures): void {
  const recovery =
    figures.recoveryMs === null ? 'n/a' : `${(figures.recoveryMs / 1000).toFixed(2)} s`;
  const line = format(
    'CHAOS %s | events written %d | received %d | deliveries %d | duplicates %d | lost %d | recovery %s%s',
    figures.scenario,
    figures.eventsWritten,
    figures.eventsReceived,
    figures.deliveries,
    figures.duplicates,
    figures.lost,
    recovery,
    figures.notes ? ` | ${figures.notes}` : '',
  );
  process.stdout.write(`${line}\n`);
  const file = process.env.CHAOS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(figures)}\n`);
}

/** `{ OK: 10, RATE_LIMITED: 2 }` as `OK 10, RATE_LIMITED 2`, largest first. */
export function describeCodes(codes: Record<string, number>): string {
  return Object.entries(codes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
}

/** Outcomes counted by code, for {@link describeCodes}. */
export function countCodes(outcomes: readonly { code: string }[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const { code } of outcomes) codes[code] = (codes[code] ?? 0) + 1;
  return codes;
}
