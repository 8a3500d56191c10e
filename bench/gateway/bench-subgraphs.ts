import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { repoRoot } from '../../platform/paths';
import { freePort, startProcess, type BenchProcess } from './child-process';
import type { SubgraphAnswering } from './subgraph-server';
import { BENCH_SUBGRAPHS, BENCH_SUBGRAPH_NAMES, type BenchSubgraphName } from './subgraphs/catalog';

export interface BenchSubgraphs {
  answering: SubgraphAnswering;
  /** A temporary file with the composed supergraph, pointing at the running subgraphs. */
  supergraphPath: string;
  supergraphSdl: string;
  urls: Record<BenchSubgraphName, string>;
  processes: BenchProcess[];
  stop(): Promise<void>;
}

/**
 * The four bench subgraphs (users, products, inventory, reviews), each in a process of its
 * own on a free port, answering as `answering` says, and their supergraph composed with
 * @apollo/composition. Every gateway under test serves this same file.
 */
export async function startBenchSubgraphs(
  answering: SubgraphAnswering = 'remembered',
): Promise<BenchSubgraphs> {
  // From dist/ also when this runs from sources (jest): the child is plain node.
  const script = join(repoRoot(), 'dist', 'bench', 'gateway', 'subgraph-process.js');
  const processes: BenchProcess[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'tessera-gwbench-'));
  const stop = async () => {
    await Promise.all(processes.map((running) => running.stop()));
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    for (const name of BENCH_SUBGRAPH_NAMES) {
      const port = await freePort();
      processes.push(
        await startProcess({
          label: `${name} subgraph`,
          args: [script, name, String(port), answering],
          port,
        }),
      );
    }
    const urls = Object.fromEntries(
      BENCH_SUBGRAPH_NAMES.map((name, i) => [name, processes[i]!.url]),
    ) as Record<BenchSubgraphName, string>;
    const supergraphSdl = composeBenchSupergraph(urls);
    const supergraphPath = join(folder, 'supergraph.graphql');
    writeFileSync(supergraphPath, supergraphSdl);
    return { answering, supergraphPath, supergraphSdl, urls, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function composeBenchSupergraph(urls: Record<BenchSubgraphName, string>): string {
  const result = composeServices(
    BENCH_SUBGRAPH_NAMES.map((name) => ({
      name,
      url: urls[name],
      typeDefs: parse(BENCH_SUBGRAPHS[name].typeDefs),
    })),
  );
  if (result.errors) {
    throw new Error(
      `bench composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`,
    );
  }
  return result.supergraphSdl;
}
