import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  /** Requests being served now; an autoscaler's load signal (health and metrics left out). */
  httpInFlight: Gauge;
  graphqlOperations: Counter<'operation_type' | 'operation_name' | 'outcome'>;
  graphqlDuration: Histogram<'operation_type' | 'operation_name'>;
  /** 1 or 0 per readiness check (postgres, redis, ...), as the last /readyz found it. */
  readinessChecks: Gauge<'check'>;
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
    // Summed across a gateway cluster's workers like the counters (prom-client sums gauges).
    httpInFlight: new Gauge({
      name: 'tessera_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered (/healthz, /readyz and /metrics excluded).',
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
    // Set by each /readyz (the orchestrator's health probe asks every few seconds), so an
    // alert can name the dependency that is down, not only the process that is not ready.
    // Check names are constants in the code: a bounded label set.
    readinessChecks: new Gauge({
      name: 'tessera_readiness_check_up',
      help: 'Whether the last readiness probe found this dependency answering (1) or not (0).',
      labelNames: ['check'],
      registers: [registry],
    }),
  };
}
