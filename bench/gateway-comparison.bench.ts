import { startBenchSubgraphs, type BenchSubgraphs } from './gateway/bench-subgraphs';
import { comparisonReport, failedRows, type Outcome } from './gateway/comparison-report';
import { DEEP_QUERY_BODY, DEEP_QUERY_CALLERS, deepQueryBody } from './gateway/deep-query';
import { GATEWAYS, type GatewayKey } from './gateway/gateways';
import { loadGateway } from './gateway/load';
import { ask, assertSameData, type GraphQLAnswer } from './gateway/same-data';
import type { SubgraphAnswering } from './gateway/subgraph-server';
import { BenchFailure } from './lib/bench-failure';
import type { BenchReport } from './lib/report';

export interface GatewayComparisonOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Which gateways to run (all by default), e.g. only stock and Tessera while profiling. */
  only?: readonly GatewayKey[];
  /** How the subgraphs answer: one table per way, each with its own baselines. */
  answering: readonly SubgraphAnswering[];
  /** Progress lines, one per step. */
  log?: (line: string) => void;
}

/**
 * Tessera's gateway in generic mode against stock @apollo/gateway and Hive Gateway (JIT and
 * Rust router runtime) on one deep federated query: same subgraphs, same load, one gateway
 * at a time, once over subgraphs answering from memory and once over subgraphs executing
 * every request. Each gateway must first answer with the same data as the others, and a
 * run with any failed request throws (BenchFailure, with the tables) instead of reporting.
 */
export async function gatewayComparison(options: GatewayComparisonOptions): Promise<BenchReport[]> {
  const reports: BenchReport[] = [];
  const failures: string[] = [];
  for (const answering of options.answering) {
    const outcomes = await compareOver(answering, options);
    reports.push(comparisonReport(outcomes, { ...options, answering }));
    failures.push(...failedRows(outcomes).map((row) => `${answering} subgraphs, ${row}`));
  }
  if (failures.length > 0) throw new BenchFailure(reports, failures);
  return reports;
}

async function compareOver(
  answering: SubgraphAnswering,
  options: GatewayComparisonOptions,
): Promise<Outcome[]> {
  const log = (line: string) => options.log?.(`[${answering} subgraphs] ${line}`);
  const gateways = GATEWAYS.filter(
    (gateway) => !options.only || options.only.includes(gateway.key),
  );
  const subgraphs = await startBenchSubgraphs(answering);
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
          nextBody: callers(),
          pid: running.child.pid!,
          subgraphPids: subgraphPids(subgraphs),
          concurrency: options.concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
        });
        outcomes.push({ gateway, result });
        log(
          `${gateway.name}: ${result.rps} RPS, ${result.cpuMsPerRequest} CPU ms/request, ` +
            `p99 ${result.p99Ms} ms, ${result.errors} errors`,
        );
      } finally {
        await running.stop();
      }
    }
  } finally {
    await subgraphs.stop();
  }
  return outcomes;
}

/** Each request from the next of DEEP_QUERY_CALLERS callers, in turn. */
function callers(): () => string {
  const bodies = Array.from({ length: DEEP_QUERY_CALLERS }, (_, i) => deepQueryBody(`en-${i}`));
  let next = 0;
  return () => bodies[next++ % bodies.length]!;
}

function subgraphPids(subgraphs: BenchSubgraphs): number[] {
  return subgraphs.processes.map((running) => running.child.pid!);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error))
    .split('\n')[0]!
    .replace(/\|/g, '/');
}
