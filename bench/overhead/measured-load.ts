import { descendants } from '../gateway/peak-rss';
import { runClosedLoop, type ClosedLoopResult } from '../lib/closed-loop';
import { cpuTimeMs } from '../lib/process-cpu';
import type { Reader } from './readers';
import type { ReadStep } from './requests';

export interface MeasuredLoad extends ClosedLoopResult {
  name: string;
  /** CPU ms (user + system) per successful request, by process group. */
  cpuMsPerRequest: Record<string, number>;
}

export interface LoadTiming {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/**
 * A closed loop of `step` over many distinct readers (client `c`'s turn `t` reads as reader
 * `(c + t * concurrency) mod readers`, so consecutive requests of one client are different
 * users), charged the CPU time of each process group meanwhile: a root pid and every process
 * below it (a gateway's cluster workers, say), or the bench process itself.
 */
export async function measuredLoad(
  name: string,
  readers: readonly Reader[],
  step: ReadStep,
  groups: Readonly<Record<string, number | 'self'>>,
  timing: LoadTiming,
): Promise<MeasuredLoad> {
  const before = cpuOfGroups(groups);
  const result = await runClosedLoop({
    ...timing,
    step: byReader(readers, step, timing.concurrency),
  });
  const after = cpuOfGroups(groups);
  const perRequest = (ms: number) =>
    Math.round((ms / Math.max(1, result.succeededTotal)) * 100) / 100;
  return {
    name,
    ...result,
    cpuMsPerRequest: Object.fromEntries(
      Object.keys(groups).map((group) => [group, perRequest(after[group]! - before[group]!)]),
    ),
  };
}

/** Runs `step` for the warm-up time, unmeasured; a failure there fails the bench as well. */
export async function warm(
  readers: readonly Reader[],
  step: ReadStep,
  timing: LoadTiming,
): Promise<void> {
  const result = await runClosedLoop({
    concurrency: timing.concurrency,
    durationMs: timing.warmupMs,
    warmupMs: 0,
    step: byReader(readers, step, timing.concurrency),
  });
  if (result.errors > 0) {
    throw new Error(
      `warm-up failed: ${result.errors} errors, e.g. ${result.failures[0] ?? 'none'}`,
    );
  }
}

/** Client `c`'s turn `t` reads as reader `(c + t * concurrency) mod readers`. */
function byReader(readers: readonly Reader[], step: ReadStep, concurrency: number) {
  return (client: number, turn: number) =>
    step(readers[(client + turn * concurrency) % readers.length]!);
}

function cpuOfGroups(groups: Readonly<Record<string, number | 'self'>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(groups).map(([group, root]) => {
      if (root === 'self') {
        const usage = process.cpuUsage();
        return [group, (usage.user + usage.system) / 1000];
      }
      return [group, cpuTimeMs([root, ...descendants(root)])];
    }),
  );
}
