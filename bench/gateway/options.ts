import type { GatewayComparisonOptions } from '../gateway-comparison.bench';
import { GATEWAYS, type GatewayKey } from './gateways';

/**
 * The gateway comparison's settings from the environment: BENCH_GATEWAY_CONCURRENCY (50),
 * BENCH_GATEWAY_WARMUP_MS (5000), BENCH_GATEWAY_DURATION_MS (20000) and BENCH_GATEWAYS, a
 * comma-separated subset of stock, hive-jit, hive-router, tessera, tessera-no-dedup,
 * tessera-cluster (all).
 */
export function gatewayComparisonOptions(log?: (line: string) => void): GatewayComparisonOptions {
  const keys = GATEWAYS.map((gateway) => gateway.key);
  const only = process.env.BENCH_GATEWAYS?.split(',').map((key) => key.trim());
  const unknown = only?.filter((key) => !keys.includes(key as GatewayKey)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`BENCH_GATEWAYS: unknown ${unknown.join(', ')} (known: ${keys.join(', ')})`);
  }
  return {
    concurrency: positive('BENCH_GATEWAY_CONCURRENCY', 50),
    warmupMs: positive('BENCH_GATEWAY_WARMUP_MS', 5_000),
    durationMs: positive('BENCH_GATEWAY_DURATION_MS', 20_000),
    only: only as GatewayKey[] | undefined,
    log,
  };
}

function positive(variable: string, fallback: number): number {
  const value = Number(process.env[variable] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${variable}: must be a positive integer (got "${process.env[variable]}")`);
  }
  return value;
}
