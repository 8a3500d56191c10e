import type { GatewayComparisonOptions } from '../gateway-comparison.bench';
import { GATEWAYS } from './gateways';
import { SUBGRAPH_ANSWERING } from './subgraph-server';

/**
 * The gateway comparison's settings from the environment: BENCH_GATEWAY_CONCURRENCY (50),
 * BENCH_GATEWAY_WARMUP_MS (5000), BENCH_GATEWAY_DURATION_MS (20000) and BENCH_GATEWAYS, a
 * comma-separated subset of stock, hive-jit, hive-router, tessera, tessera-no-dedup,
 * tessera-cluster (all), and BENCH_GATEWAY_SUBGRAPHS, how the subgraphs answer: remembered,
 * executing or both (both, one table each).
 */
export function gatewayComparisonOptions(log?: (line: string) => void): GatewayComparisonOptions {
  const only = subset(
    'BENCH_GATEWAYS',
    GATEWAYS.map((gateway) => gateway.key),
  );
  return {
    concurrency: positive('BENCH_GATEWAY_CONCURRENCY', 50),
    warmupMs: positive('BENCH_GATEWAY_WARMUP_MS', 5_000),
    durationMs: positive('BENCH_GATEWAY_DURATION_MS', 20_000),
    only,
    answering: subset('BENCH_GATEWAY_SUBGRAPHS', SUBGRAPH_ANSWERING) ?? SUBGRAPH_ANSWERING,
    log,
  };
}

/** A comma-separated subset of `known` (undefined when the variable is unset). */
function subset<T extends string>(variable: string, known: readonly T[]): T[] | undefined {
  const listed = process.env[variable]?.split(',').map((key) => key.trim());
  const unknown = listed?.filter((key) => !known.includes(key as T)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`${variable}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return listed as T[] | undefined;
}

function positive(variable: string, fallback: number): number {
  const value = Number(process.env[variable] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${variable}: must be a positive integer (got "${process.env[variable]}")`);
  }
  return value;
}
