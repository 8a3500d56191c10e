import { Counter, Gauge, type Registry } from 'prom-client';

export interface GuardMetrics {
  state: Gauge<'target'>;
  rejections: Counter<'target' | 'reason'>;
}

/**
 * `tessera_circuit_state{target}` (0 closed, 1 half-open, 2 open) and
 * `tessera_circuit_rejections_total{target, reason}` (`open` or `bulkhead_full`). `target` is
 * one of the fixed names a process guards (the gateway's five subgraphs and its auth and
 * tenancy internal calls), so the label set is bounded.
 */
export function guardMetrics(registry: Registry): GuardMetrics {
  return {
    state: new Gauge({
      name: 'tessera_circuit_state',
      help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open.',
      labelNames: ['target'],
      // Cluster workers each keep their own breakers: show the worst, not a sum.
      aggregator: 'max',
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'tessera_circuit_rejections_total',
      help: 'Calls refused without being made, per target and reason (open circuit, full bulkhead).',
      labelNames: ['target', 'reason'],
      registers: [registry],
    }),
  };
}
