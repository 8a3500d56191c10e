import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The repository root, found the same way from sources (tests) and from the build (`dist/`). */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'schema')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the Tessera root above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}

export const SUBGRAPH_NAMES = ['auth', 'tenancy', 'assets', 'jobs', 'observability'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export function subgraphSchemaPath(name: SubgraphName): string {
  return join(repoRoot(), 'schema', `${name}.graphql`);
}

export function supergraphPath(): string {
  return join(repoRoot(), 'schema', 'supergraph.graphql');
}
