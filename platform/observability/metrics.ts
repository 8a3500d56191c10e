import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Route labels are drawn from this closed set so a scanner cannot blow up cardinality. */
export const HTTP_ROUTES = [
  'graphql',
  'healthz',
  'readyz',
  'metrics',
  'jwks',
  'internal',
  'blobs',
  'audit-exports',
  'other',
] as const;
export type HttpRoute = (typeof HTTP_ROUTES)[number];

export const OPERATION_TYPES = ['query', 'mutation', 'subscription', 'unknown'] as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  graphqlOperations: Counter<'operation_type' | 'operation_name' | 'outcome'>;
  graphqlDuration: Histogram<'operation_type' | 'operation_name'>;
}

/**
 * One registry per process, labelled with the service name, with Node's default process
 * metrics and the request metrics every Tessera process exposes.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });

  return {
    registry,
    httpRequests: new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests served, by route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time from request start to response end.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'tessera_graphql_operations_total',
      help:
        'GraphQL operations executed, by type, name (bounded: see operation-names.ts) and ' +
        'outcome (ok or error).',
      labelNames: ['operation_type', 'operation_name', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'tessera_graphql_operation_duration_seconds',
      help: 'Time to execute a GraphQL operation, from parsing to the response.',
      labelNames: ['operation_type', 'operation_name'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}
