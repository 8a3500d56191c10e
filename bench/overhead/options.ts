import { positiveIntegerFromEnv } from '../lib/env-number';
import type { LoadTiming } from './measured-load';

/**
 * The production-path bench's load: BENCH_CONCURRENCY and BENCH_DURATION_MS as for the other
 * request benches, a warm-up long enough for every reader's first request (its token's
 * signature checked, its role looked up) to fall outside the measured time, and the rounds in
 * which the loads take turns (BENCH_OVERHEAD_ROUNDS).
 */
export function overheadTiming(): LoadTiming {
  return {
    concurrency: positiveIntegerFromEnv('BENCH_CONCURRENCY', 16),
    durationMs: positiveIntegerFromEnv('BENCH_DURATION_MS', 5_000),
    warmupMs: positiveIntegerFromEnv('BENCH_OVERHEAD_WARMUP_MS', 2_000),
    rounds: positiveIntegerFromEnv('BENCH_OVERHEAD_ROUNDS', 5),
  };
}
