import { register } from './stragglers';

/**
 * Polls `/readyz` of several processes while a fault comes and goes, keeping each one's
 * transitions, so a test can show that readiness went false and came back by itself.
 */
export interface ReadinessWatch {
  /** Each process's transitions: when it became ready or not ready. */
  readonly transitions: Record<string, { at: number; ready: boolean }[]>;
  /** True once `name` answered not ready (or did not answer) at least once. */
  sawNotReady(name: string): boolean;
  isReady(name: string): boolean;
  /** Resolves when every process (or each of `only`) is ready, with the time they all were. */
  allReady(timeoutMs?: number, only?: readonly string[]): Promise<number>;
  /** Resolves when every process (or each of `only`) is not ready, with the time. */
  allNotReady(timeoutMs?: number, only?: readonly string[]): Promise<number>;
  stop(): Promise<void>;
}

export function watchReadiness(targets: Record<string, string>, intervalMs = 100): ReadinessWatch {
  const transitions: ReadinessWatch['transitions'] = {};
  const state: Record<string, boolean | undefined> = {};
  let running = true;

  const probe = async (name: string, baseUrl: string) => {
    while (running) {
      let ready = false;
      try {
        const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
        await response.arrayBuffer();
        ready = response.status === 200;
      } catch {
        ready = false;
      }
      if (state[name] !== ready) {
        state[name] = ready;
        (transitions[name] ??= []).push({ at: Date.now(), ready });
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const probes = Object.entries(targets).map(([name, url]) => probe(name, url));

  const until = async (check: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`readiness: ${what} not seen in time`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now();
  };
  const names = Object.keys(targets);

  return register({
    transitions,
    sawNotReady: (name) => (transitions[name] ?? []).some((change) => !change.ready),
    isReady: (name) => state[name] === true,
    allReady: (timeoutMs = 30_000, only = names) =>
      until(() => only.every((name) => state[name] === true), timeoutMs, 'all ready'),
    allNotReady: (timeoutMs = 30_000, only = names) =>
      until(() => only.every((name) => state[name] === false), timeoutMs, 'all not ready'),
    async stop() {
      running = false;
      await Promise.all(probes);
    },
  });
}
