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
 * A closed loop of arbitrary steps: `concurrency` clients each start the next step as soon as
 * the last one ended, for a fixed time after a warm-up that is not counted.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let errors = 0;
  let succeededTotal = 0;
  const warmupEnds = Date.now() + options.warmupMs;
  const ends = warmupEnds + options.durationMs;

  const client = async (index: number) => {
    for (let turn = 0; Date.now() < ends; turn += 1) {
      const measuring = Date.now() >= warmupEnds;
      const started = performance.now();
      try {
        await options.step(index, turn);
        succeededTotal += 1;
        if (measuring) latencies.push(performance.now() - started);
      } catch (error) {
        if (measuring) errors += 1;
        if (failures.length < 5)
          failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => client(index)));

  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: Math.round((latencies.length / (options.durationMs / 1000)) * 10) / 10,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    succeededTotal,
    failures,
  };
}
