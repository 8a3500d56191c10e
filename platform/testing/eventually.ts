/**
 * Polls `check` until it holds and answers how long that took; fails after `timeoutMs`. For
 * what arrives asynchronously (an announcement, a log line, a signature's window ending),
 * never a fixed sleep.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}
