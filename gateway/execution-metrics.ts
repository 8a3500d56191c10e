import { Counter, Histogram, type Registry } from 'prom-client';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `tessera_gateway_subgraph_fetch_duration_seconds{subgraph, outcome}`: each fetch a query
 * plan makes to a subgraph, from sending to the parsed answer. `outcome` is `ok`, `error`
 * (the subgraph answered with GraphQL errors) or `failed` (no usable answer: refused,
 * unreachable, not JSON). `subgraph` is one of the supergraph's five names.
 */
export function subgraphFetchMetrics(registry: Registry): Histogram<'subgraph' | 'outcome'> {
  return new Histogram({
    name: 'tessera_gateway_subgraph_fetch_duration_seconds',
    help: 'Time of each subgraph fetch of a query plan, by subgraph and outcome (ok, error, failed).',
    labelNames: ['subgraph', 'outcome'],
    buckets: BUCKETS,
    registers: [registry],
  });
}

/**
 * `tessera_gateway_deduplicated_operations_total`: queries that joined an identical one
 * already in flight (same document, variables and caller) and shared its answer instead of
 * running again.
 */
export function deduplicatedOperations(registry: Registry): Counter {
  return new Counter({
    name: 'tessera_gateway_deduplicated_operations_total',
    help: 'Queries answered by joining an identical query already in flight (same document, variables and caller).',
    registers: [registry],
  });
}
