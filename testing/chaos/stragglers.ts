import { settlesWithin } from '../bounded';

/**
 * Load generators, readiness watchers and subscribers register here while they run, so a test
 * that fails half-way can still stop them all in `afterAll` (before its stack goes), instead
 * of leaving a loop that keeps Jest from exiting.
 */
const running = new Set<{ stop(): Promise<unknown> }>();

export function register<T extends { stop(): Promise<unknown> }>(helper: T): T {
  running.add(helper);
  const stop = helper.stop.bind(helper);
  (helper as { stop(): Promise<unknown> }).stop = () => {
    running.delete(helper);
    return stop();
  };
  return helper;
}

/** Stops every helper still running, each given at most 15 s. */
export async function stopStragglers(): Promise<void> {
  await Promise.all(
    [...running].map((helper) => settlesWithin(helper.stop(), 15_000, "a load helper's stop")),
  );
}
