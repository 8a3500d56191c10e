export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface CheckResult {
  name: string;
  status: 'ok' | 'fail';
  latencyMs: number;
  detail?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once, each bounded by a timeout so a hung dependency reads as down. */
export async function runChecks(checks: readonly ReadinessCheck[]): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async ({ name, check }): Promise<CheckResult> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
          }),
        ]);
        return { name, status: 'ok', latencyMs: elapsed(started) };
      } catch (error) {
        return { name, status: 'fail', latencyMs: elapsed(started), detail: describe(error) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** A short, non-sensitive reason: an errno-style code or the first line of the message. */
function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 120);
}
