import type { LogLine } from './stack';

/**
 * The global where the e2e environment (environment-e2e.ts) counts the failed tests and hooks
 * of the file it runs. Read here rather than imported from there: the benchmarks start stacks
 * outside jest.
 */
export const FAILURES_GLOBAL = '__tesseraFailures';

/** At most this many lines are printed: the newest, where a failure's cause usually is. */
const MOST_LINES = 200;
const TROUBLE = new Set(['warn', 'error', 'fatal']);

/** Tests and hooks of this file that have failed so far (0 outside the e2e environment). */
export function failuresSoFar(): number {
  return ((globalThis as Record<string, unknown>)[FAILURES_GLOBAL] as number | undefined) ?? 0;
}

/**
 * Writes what a stack's processes said about trouble (warnings, errors, and anything on stderr
 * that is not a log entry) to stderr, newest last: a failed assertion seldom says why a
 * service answered as it did, and the processes' logs are gone once the stack stops.
 */
export function printTroubleOf(logs: readonly LogLine[], why: string): void {
  const trouble = logs.filter(
    ({ stream, entry }) =>
      (entry !== undefined && TROUBLE.has(String(entry.level))) ||
      (entry === undefined && stream === 'stderr'),
  );
  const shown = trouble.slice(-MOST_LINES);
  const header = `${why}: ${trouble.length} warning and error lines of the stack's processes${
    shown.length < trouble.length ? ` (the last ${shown.length})` : ''
  }`;
  process.stderr.write(
    [header, ...shown.map(({ service, line }) => `  [${service}] ${line}`), ''].join('\n'),
  );
}
