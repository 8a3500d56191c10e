import { positiveIntegerFromEnv as number } from '../lib/env-number';
import type { TenantWritesOptions } from './writes-report';

/** The tenant writes bench's settings, from BENCH_WRITES_* variables (see docs/benchmarks.md). */
export function tenantWritesOptions(): TenantWritesOptions {
  return {
    concurrency: number('BENCH_WRITES_CONCURRENCY', 16),
    durationMs: number('BENCH_WRITES_DURATION_MS', 5_000),
    warmupMs: number('BENCH_WRITES_WARMUP_MS', 1_000),
    rounds: number('BENCH_WRITES_ROUNDS', 5),
    subscriptions: number('BENCH_WRITES_SUBSCRIPTIONS', 1_000),
    backlog: number('BENCH_WRITES_BACKLOG', 2_000),
    cpuProfileDir: process.env.BENCH_WRITES_CPU_PROF_DIR || undefined,
  };
}
