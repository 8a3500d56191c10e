import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import * as inventory from './inventory';
import * as products from './products';
import * as reviews from './reviews';
import * as users from './users';

export interface BenchSubgraph {
  typeDefs: string;
  resolvers: GraphQLResolverMap;
}

export const BENCH_SUBGRAPHS = { users, products, inventory, reviews } satisfies Record<
  string,
  BenchSubgraph
>;
export type BenchSubgraphName = keyof typeof BENCH_SUBGRAPHS;
export const BENCH_SUBGRAPH_NAMES = Object.keys(BENCH_SUBGRAPHS) as BenchSubgraphName[];
