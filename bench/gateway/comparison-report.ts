import type { BenchReport } from '../lib/report';
import type { GatewayKey, GatewayUnderTest } from './gateways';
import type { GatewayLoadResult } from './load';
import type { SubgraphAnswering } from './subgraph-server';

export type Outcome =
  | { gateway: GatewayUnderTest; result: GatewayLoadResult }
  | { gateway: GatewayUnderTest; failed: string };

export interface ComparisonSetup {
  answering: SubgraphAnswering;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

const SUBGRAPHS_SAY: Record<SubgraphAnswering, string> = {
  remembered:
    'four @apollo/subgraph subgraphs in their own processes, each answer remembered by ' +
    'request body (a subgraph costs a map lookup: the load measures the gateways)',
  executing:
    'four @apollo/subgraph subgraphs in their own processes, every request executed by ' +
    'graphql-js (documents parsed and validated once per text, as Apollo Server does): ' +
    'subgraphs that cost what real ones cost, on the same cores',
};

/** Gateway rows that reported failed requests: any one fails the whole bench. */
export function failedRows(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((outcome) =>
    'result' in outcome && outcome.result.errors > 0
      ? [`${outcome.gateway.name}: ${outcome.result.errors} failed requests`]
      : [],
  );
}

/**
 * The table of one run and its ratios. Headline ratios compare Tessera without
 * deduplication (every request executed, as every other gateway here executes it); the
 * deduplicating row stands beside them, its ratio labelled as what it is. With any failed
 * request there are no ratios at all.
 */
export function comparisonReport(
  outcomes: readonly Outcome[],
  setup: ComparisonSetup,
): BenchReport {
  const failures = failedRows(outcomes);
  return {
    title: `Federation gateways: one deep query, subgraphs ${setup.answering === 'remembered' ? 'answering from memory' : 'executing every request'}`,
    setup:
      `users → reviews → product → reviews → author → reviews → product (and top products); ` +
      `${SUBGRAPHS_SAY[setup.answering]}; autocannon, ${setup.concurrency} connections, ` +
      `${setup.warmupMs / 1000} s warm-up, then ${setup.durationMs / 1000} s measured, one ` +
      `gateway at a time. CPU ms/request: user + system time of the gateway's process tree ` +
      `(and of the four subgraph processes) over the measured run, divided by the requests ` +
      `answered. Peak RSS of the gateway's process tree while measured. Failures: non-2xx, ` +
      `socket errors, timeouts, GraphQL errors; any failure fails the bench.`,
    rows: outcomes.flatMap((outcome) =>
      'result' in outcome ? [{ name: outcome.gateway.name, ...outcome.result }] : [],
    ),
    table: {
      columns: [
        'gateway',
        'RPS',
        'gateway CPU ms/request',
        'subgraphs CPU ms/request',
        'p50 ms',
        'p99 ms',
        'peak RSS MiB',
        'requests',
        'errors',
      ],
      rows: outcomes.map((outcome) =>
        'result' in outcome
          ? [
              outcome.gateway.name,
              outcome.result.rps,
              outcome.result.cpuMsPerRequest,
              outcome.result.subgraphCpuMsPerRequest,
              outcome.result.p50Ms,
              outcome.result.p99Ms,
              outcome.result.peakRssMiB ?? 'n/a',
              outcome.result.requests,
              outcome.result.errors,
            ]
          : [outcome.gateway.name, `could not run: ${outcome.failed}`, '', '', '', '', '', '', ''],
      ),
    },
    ratios:
      failures.length > 0
        ? [`No ratios: the run had failed requests (${failures.join('; ')}).`]
        : ratios(outcomes),
  };
}

function ratios(outcomes: readonly Outcome[]): string[] {
  const measured = new Map(
    outcomes.flatMap((outcome) =>
      'result' in outcome ? [[outcome.gateway.key, outcome.result] as const] : [],
    ),
  );
  const ratio = (
    label: string,
    mine: GatewayKey,
    other: GatewayKey,
    pick: (result: GatewayLoadResult) => number | undefined,
  ) => {
    const [ours, base] = [measured.get(mine), measured.get(other)];
    const [a, b] = [ours && pick(ours), base && pick(base)];
    return a !== undefined && b ? [`${label}: ${(a / b).toFixed(2)}`] : [];
  };
  const rps = (result: GatewayLoadResult) => result.rps;
  const cpu = (result: GatewayLoadResult) => result.cpuMsPerRequest;
  return [
    ...ratio('Tessera / stock @apollo/gateway RPS', 'tessera-no-dedup', 'stock', rps),
    ...ratio('Tessera / stock @apollo/gateway CPU per request', 'tessera-no-dedup', 'stock', cpu),
    ...ratio(
      'Tessera / Hive Gateway --hive-router-runtime RPS',
      'tessera-no-dedup',
      'hive-router',
      rps,
    ),
    ...ratio(
      'Tessera / Hive Gateway --hive-router-runtime CPU per request',
      'tessera-no-dedup',
      'hive-router',
      cpu,
    ),
    ...ratio(
      'Tessera / Hive Gateway --hive-router-runtime p99',
      'tessera-no-dedup',
      'hive-router',
      (result) => result.p99Ms,
    ),
    ...ratio(
      'Tessera / Hive Gateway --hive-router-runtime peak RSS',
      'tessera-no-dedup',
      'hive-router',
      (result) => result.peakRssMiB,
    ),
    ...ratio('Tessera / Hive Gateway --jit RPS', 'tessera-no-dedup', 'hive-jit', rps),
    ...ratio(
      'Not a headline: Tessera with deduplication on (the load repeats one query, which ' +
        'traffic from many callers rarely does) / stock @apollo/gateway RPS',
      'tessera',
      'stock',
      rps,
    ),
  ];
}
