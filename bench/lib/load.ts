export interface LoadOptions {
  url: string;
  body: string;
  headers: () => Record<string, string>;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * A closed-loop load: `concurrency` clients each send the next request as soon as the last
 * one answered, for a fixed time after a warm-up that is not counted.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  const warmupEnds = Date.now() + options.warmupMs;
  const ends = warmupEnds + options.durationMs;

  const client = async () => {
    while (Date.now() < ends) {
      const started = performance.now();
      let ok = false;
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers() },
          body: options.body,
        });
        const payload = (await response.json()) as { errors?: unknown };
        ok = response.ok && !payload.errors;
      } catch {
        ok = false;
      }
      measuring ||= Date.now() >= warmupEnds;
      if (!measuring) continue;
      if (ok) latencies.push(performance.now() - started);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));

  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: round(latencies.length / (options.durationMs / 1000)),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** The p-th percentile of ascending `sorted`, rounded to 0.1 (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
