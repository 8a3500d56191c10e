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
    step: (client, turn) => step(readers[(client + turn * timing.concurrency) % readers.length]!),
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
