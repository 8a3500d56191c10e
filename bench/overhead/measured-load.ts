import { descendants } from '../gateway/peak-rss';
import {
  inTurns,
  runClosedLoop,
  sampleClosedLoop,
  SLICE_SETTLE_MS,
  type ClosedLoopResult,
} from '../lib/closed-loop';
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
  /** Slices each load's measured time is cut into, the loads taking turns (1: one after another). */
  rounds: number;
}

/**
 * Closed loops of each step over many distinct readers (client `c`'s turn `t` reads as reader
 * `(c + t * concurrency) mod readers`, so consecutive requests of one client are different
 * users), each charged the CPU time of every process group meanwhile: a root pid and every
 * process below it (a gateway's cluster workers, say), or the bench process itself.
 *
 * The loads take turns: each one's measured time is cut into `rounds` slices, and every round
 * runs one slice of each, in order. A load measured only after another would see the machine
 * as it was later (other tenants of the host, the database's own background work), and on a
 * shared host that drift moved the ratio between two loads by more than a tenth from run to
 * run. Each slice starts with a short unmeasured settle, while the closed loop fills up.
 */
export async function measuredLoads<Name extends string>(
  steps: Readonly<Record<Name, { name: string; step: ReadStep }>>,
  readers: readonly Reader[],
  groups: Readonly<Record<string, number | 'self'>>,
  timing: LoadTiming,
): Promise<Record<Name, MeasuredLoad>> {
  const names = Object.keys(steps) as Name[];
  const cpuMs = names.map(() => Object.fromEntries(Object.keys(groups).map((g) => [g, 0])));
  const results = await inTurns(
    names.map((name, index) => ({ name, index })),
    { durationMs: timing.durationMs, rounds: timing.rounds, firstWarmupMs: SLICE_SETTLE_MS },
    async ({ name, index }, slice) => {
      const before = cpuOfGroups(groups);
      const samples = await sampleClosedLoop({
        ...slice,
        concurrency: timing.concurrency,
        step: byReader(readers, steps[name].step, timing.concurrency),
      });
      const after = cpuOfGroups(groups);
      for (const group of Object.keys(groups)) {
        cpuMs[index]![group]! += after[group]! - before[group]!;
      }
      return samples;
    },
  );
  return Object.fromEntries(
    names.map((name, index) => {
      const result = results[index]!;
      const perRequest = (ms: number) =>
        Math.round((ms / Math.max(1, result.succeededTotal)) * 100) / 100;
      return [
        name,
        {
          name: steps[name].name,
          ...result,
          cpuMsPerRequest: Object.fromEntries(
            Object.keys(groups).map((group) => [group, perRequest(cpuMs[index]![group]!)]),
          ),
        },
      ];
    }),
  ) as Record<Name, MeasuredLoad>;
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
