import { percentile, type LoadResult } from './load';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /**
   * One request (or one multi-step operation) of client `client`, its `turn`-th (from 0);
   * resolves when it succeeded, throws when it did not: an error after the warm-up, never
   * retried.
   */
  step: (client: number, turn: number) => Promise<void>;
}

export interface ClosedLoopResult extends LoadResult {
  /** Steps that succeeded, warm-up included (what must have reached the journal). */
  succeededTotal: number;
  /** The first few failures' messages, to say why a run failed. */
  failures: string[];
}

/**
 * Unmeasured time at the start of a load's slice when loads take turns in slices (every slice
 * of a load but the first), while every client gets its first answer.
 */
export const SLICE_SETTLE_MS = 250;

/** What one closed loop saw, before it is summarised: slices of one load can be merged. */
export interface ClosedLoopSamples {
  /** Latency of each step that succeeded after the warm-up, in ms. */
  latencies: number[];
  errors: number;
  succeededTotal: number;
  failures: string[];
  /** The most turns one client took, warm-up included: where the next slice picks up. */
  turns: number;
}

/**
 * A closed loop of arbitrary steps: `concurrency` clients each start the next step as soon as
 * the last one ended, for a fixed time after a warm-up that is not counted.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  return summarize([await sampleClosedLoop(options)], options.durationMs);
}

/** {@link runClosedLoop}'s loop, unsummarised; each client's turns count from `firstTurn`. */
export async function sampleClosedLoop(
  options: ClosedLoopOptions & { firstTurn?: number },
): Promise<ClosedLoopSamples> {
  const samples: ClosedLoopSamples = {
    latencies: [],
    errors: 0,
    succeededTotal: 0,
    failures: [],
    turns: 0,
  };
  const warmupEnds = Date.now() + options.warmupMs;
  const ends = warmupEnds + options.durationMs;
  const firstTurn = options.firstTurn ?? 0;

  const client = async (index: number) => {
    for (let turn = firstTurn; Date.now() < ends; turn += 1) {
      samples.turns = Math.max(samples.turns, turn + 1 - firstTurn);
      const measuring = Date.now() >= warmupEnds;
      const started = performance.now();
      try {
        await options.step(index, turn);
        samples.succeededTotal += 1;
        if (measuring) samples.latencies.push(performance.now() - started);
      } catch (error) {
        if (measuring) samples.errors += 1;
        if (samples.failures.length < 5)
          samples.failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => client(index)));
  return samples;
}

/** One result from the slices of one load, measured for `durationMs` in all. */
function summarize(slices: readonly ClosedLoopSamples[], durationMs: number): ClosedLoopResult {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((a, b) => a - b);
  const failures = slices.flatMap((slice) => slice.failures).slice(0, 5);
  return {
    requests: latencies.length,
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    rps: Math.round((latencies.length / (durationMs / 1000)) * 10) / 10,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    succeededTotal: slices.reduce((sum, slice) => sum + slice.succeededTotal, 0),
    failures,
  };
}

/** One slice of a load that takes turns: its time, its settle, and where its clients' turns resume. */
export interface Slice {
  durationMs: number;
  warmupMs: number;
  firstTurn: number;
}

/**
 * Loads that take turns: each one's `durationMs` is cut into `rounds` slices, and every round
 * runs one slice of each, in order, so that the machine's drift over a run reaches every load
 * alike instead of the ones measured last. A load's first slice starts after `firstWarmupMs`,
 * the others after {@link SLICE_SETTLE_MS} (at most); each client's turns continue from slice
 * to slice. `runSlice` runs one slice of a load (charging it what it cost, if it measures
 * that); the answer is each load's result over all of its slices.
 */
export async function inTurns<Load>(
  loads: readonly Load[],
  timing: { durationMs: number; rounds: number; firstWarmupMs: number },
  runSlice: (load: Load, slice: Slice) => Promise<ClosedLoopSamples>,
): Promise<ClosedLoopResult[]> {
  const sliceMs = Math.ceil(timing.durationMs / timing.rounds);
  const slices = loads.map((): ClosedLoopSamples[] => []);
  const turns = loads.map(() => 0);
  for (let round = 0; round < timing.rounds; round += 1) {
    const warmupMs =
      round === 0 ? timing.firstWarmupMs : Math.min(SLICE_SETTLE_MS, timing.firstWarmupMs);
    for (const [index, load] of loads.entries()) {
      const slice = await runSlice(load, {
        durationMs: sliceMs,
        warmupMs,
        firstTurn: turns[index]!,
      });
      slices[index]!.push(slice);
      turns[index]! += slice.turns;
    }
  }
  return slices.map((samples) => summarize(samples, sliceMs * timing.rounds));
}
