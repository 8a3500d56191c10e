import type { ReceivedWebhook } from '../../testing/webhook-receiver';
import { percentile } from '../lib/load';

/** One measured burst: speed, latency, CPU and what went wrong (any error fails the bench). */
export interface Burst {
  deliveries: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** CPU time of the delivering process(es) per delivery. */
  cpuMsPerDelivery: number;
  /** CPU time of the PostgreSQL backends per delivery (null where nothing is recorded). */
  databaseCpuMsPerDelivery: number | null;
  /** The share of all the machine's cores busy (any process) while the burst arrived. */
  machineBusy: number;
  /** Failed attempts or jobs, and deliveries not recorded as succeeded. */
  errors: number;
  /** Expected messages that never arrived. */
  lost: number;
  /** Messages that arrived more than once (same webhook-id). */
  duplicates: number;
}

export type Arrivals = Pick<Burst, 'deliveries' | 'perSecond' | 'p50Ms' | 'p95Ms' | 'p99Ms'>;

/** Throughput and latency of a burst's arrivals, from its start to each request's arrival. */
export function summarize(arrivals: readonly ReceivedWebhook[], started: number): Arrivals {
  const latencies = arrivals.map((arrival) => arrival.at - started).sort((a, b) => a - b);
  const elapsed = Math.max(1, latencies[latencies.length - 1] ?? 1);
  return {
    deliveries: arrivals.length,
    perSecond: Math.round((arrivals.length / elapsed) * 10_000) / 10,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** How many expected webhook-ids never arrived, and how many arrived more than once. */
export function countLossAndRepeats(
  arrivals: readonly ReceivedWebhook[],
  expectedIds: readonly string[],
): { lost: number; duplicates: number } {
  const seen = new Map<string, number>();
  for (const arrival of arrivals) {
    const id = String(arrival.headers['webhook-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const count of seen.values()) duplicates += count - 1;
  return { lost: expectedIds.filter((id) => !seen.has(id)).length, duplicates };
}

/** The bench's verdict: a run with any error, loss or repeat is not a result. */
export function assertClean(name: string, burst: Burst): void {
  if (burst.errors === 0 && burst.lost === 0 && burst.duplicates === 0) return;
  throw new Error(
    `${name}: ${burst.errors} errors, ${burst.lost} lost, ${burst.duplicates} sent twice`,
  );
}

export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
