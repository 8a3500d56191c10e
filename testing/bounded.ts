/**
 * Waits for `work` at most `ms`, so a teardown step that hangs (a drain waiting on a Redis
 * that was killed, a socket that never closes) cannot keep the next step, which kills what
 * the test spawned, from running. Resolves false, and says so on stderr, when time ran out.
 */
export async function settlesWithin(
  work: Promise<unknown>,
  ms: number,
  what: string,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const settled = await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
    if (!settled)
      process.stderr.write(`teardown: ${what} did not finish within ${ms} ms; going on\n`);
    return settled;
  } finally {
    clearTimeout(timer);
  }
}
