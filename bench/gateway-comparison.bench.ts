import { startBenchSubgraphs } from './gateway/bench-subgraphs';
import { DEEP_QUERY_BODY } from './gateway/deep-query';
import { GATEWAYS, type GatewayKey, type GatewayUnderTest } from './gateway/gateways';
import { loadGateway, type GatewayLoadResult } from './gateway/load';
import { ask, assertSameData, type GraphQLAnswer } from './gateway/same-data';
import type { BenchReport } from './lib/report';

export interface GatewayComparisonOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Which gateways to run (all by default), e.g. only stock and Tessera while profiling. */
  only?: readonly GatewayKey[];
  /** Progress lines, one per step. */
  log?: (line: string) => void;
}

type Outcome =
  | { gateway: GatewayUnderTest; result: GatewayLoadResult }
  | { gateway: GatewayUnderTest; failed: string };

/**
 * Tessera's gateway in generic mode against stock @apollo/gateway and Hive Gateway (JIT and
 * Rust router runtime) on one deep federated query: same subgraphs, same load, one gateway
 * at a time. Each must first answer with the same data as the others.
 */
export async function gatewayComparison(options: GatewayComparisonOptions): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const gateways = GATEWAYS.filter(
    (gateway) => !options.only || options.only.includes(gateway.key),
  );
  const subgraphs = await startBenchSubgraphs();
  const outcomes: Outcome[] = [];
  const answers: { name: string; answer: GraphQLAnswer }[] = [];
  try {
    for (const gateway of gateways) {
      log(`${gateway.name}: starting`);
      let running;
      try {
        running = await gateway.start(subgraphs.supergraphPath);
      } catch (error) {
        // A mode that cannot run here gets a row saying why, not a number.
        outcomes.push({ gateway, failed: firstLine(error) });
        log(`${gateway.name}: could not run: ${String(error)}`);
        continue;
      }
      try {
        answers.push({ name: gateway.name, answer: await ask(running.url, DEEP_QUERY_BODY) });
        assertSameData(answers);
        log(`${gateway.name}: same data as the others; loading`);
        const result = await loadGateway({
          url: running.url,
          body: DEEP_QUERY_BODY,
          pid: running.child.pid!,
          concurrency: options.concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
        });
        outcomes.push({ gateway, result });
        log(`${gateway.name}: ${result.rps} RPS, p99 ${result.p99Ms} ms`);
      } finally {
        await running.stop();
      }
    }
  } finally {
    await subgraphs.stop();
  }
  return report(outcomes, options);
}

function report(outcomes: Outcome[], options: GatewayComparisonOptions): BenchReport {
  const measured = new Map(
    outcomes.flatMap((outcome) =>
      'result' in outcome ? [[outcome.gateway.key, outcome.result] as const] : [],
    ),
  );
  const ratio = (
    label: string,
    mine: GatewayKey,
    other: GatewayKey,
    pick: (r: GatewayLoadResult) => number | undefined,
  ) => {
    const [ours, base] = [measured.get(mine), measured.get(other)];
    const [a, b] = [ours && pick(ours), base && pick(base)];
    return a !== undefined && b ? [`${label}: ${(a / b).toFixed(2)}`] : [];
  };
  return {
    title: 'Federation gateways: one deep query',
    setup:
      `users → reviews → product → reviews → author → reviews → product (and top products), ` +
      `four subgraphs in their own processes answering from memory; autocannon, ` +
      `${options.concurrency} connections, ${options.warmupMs / 1000} s warm-up, then ` +
      `${options.durationMs / 1000} s measured, one gateway at a time; peak RSS of the ` +
      `gateway's process tree while measured. Failures: non-2xx, socket errors, timeouts, ` +
      `GraphQL errors.`,
    rows: outcomes.flatMap((outcome) =>
      'result' in outcome ? [{ name: outcome.gateway.name, ...outcome.result }] : [],
    ),
    table: {
      columns: [
        'gateway',
        'RPS',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'peak RSS MiB',
        'requests',
        'failures',
      ],
      rows: outcomes.map((outcome) =>
        'result' in outcome
          ? [
              outcome.gateway.name,
              outcome.result.rps,
              outcome.result.p50Ms,
              outcome.result.p95Ms,
              outcome.result.p99Ms,
              outcome.result.peakRssMiB ?? 'n/a',
              outcome.result.requests,
              outcome.result.errors,
            ]
          : [outcome.gateway.name, `could not run: ${outcome.failed}`, '', '', '', '', '', ''],
      ),
    },
    ratios: [
      ...ratio('Tessera / stock @apollo/gateway RPS', 'tessera', 'stock', (r) => r.rps),
      ...ratio('Tessera / Hive Gateway --jit RPS', 'tessera', 'hive-jit', (r) => r.rps),
      ...ratio(
        'Tessera / Hive Gateway --hive-router-runtime RPS',
        'tessera',
        'hive-router',
        (r) => r.rps,
      ),
      ...ratio(
        'Tessera / Hive Gateway --hive-router-runtime p99',
        'tessera',
        'hive-router',
        (r) => r.p99Ms,
      ),
      ...ratio(
        'Tessera / Hive Gateway --hive-router-runtime peak RSS',
        'tessera',
        'hive-router',
        (r) => r.peakRssMiB,
      ),
      ...ratio(
        'Tessera without deduplication / stock @apollo/gateway RPS',
        'tessera-no-dedup',
        'stock',
        (r) => r.rps,
      ),
      ...ratio(
        'Tessera without deduplication / Hive Gateway --hive-router-runtime RPS',
        'tessera-no-dedup',
        'hive-router',
        (r) => r.rps,
      ),
    ],
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error))
    .split('\n')[0]!
    .replace(/\|/g, '/');
}
