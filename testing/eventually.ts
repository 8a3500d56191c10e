/**
 * Polls until `check` answers something truthy, and returns it (background work: evaluator,
 * worker, relay, an announcement on Redis, a log line), failing the test after `timeoutMs`
 * with `what` (the condition, or what was seen instead) in the error. A check that throws
 * fails at once (a process that exited will never print the line waited for). What it waits
 * for is the event itself, never a fixed time.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what: string | (() => string) = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`${described} not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
