/**
 * Polls until `check` answers something truthy, and returns it (background work: evaluator,
 * worker, relay, an announcement on Redis, a log line), failing the test after `timeoutMs`.
 * What it waits for is the event itself, never a fixed time.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
