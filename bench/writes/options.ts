import type { TenantWritesOptions } from './writes-report';

/** The tenant writes bench's settings, from BENCH_WRITES_* variables (see docs/benchmarks.md). */
export function tenantWritesOptions(): TenantWritesOptions {
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} must be a positive integer`);
    return value;
  };
  return {
    concurrency: number('BENCH_WRITES_CONCURRENCY', 16),
    durationMs: number('BENCH_WRITES_DURATION_MS', 5_000),
    warmupMs: number('BENCH_WRITES_WARMUP_MS', 1_000),
    subscriptions: number('BENCH_WRITES_SUBSCRIPTIONS', 1_000),
    backlog: number('BENCH_WRITES_BACKLOG', 2_000),
  };
}
