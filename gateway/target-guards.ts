import type { Registry } from 'prom-client';
import { guardMetrics } from '../platform/resilience/guard-metrics';
import { TargetGuard } from '../platform/resilience/target-guard';
import type { GatewayConfig } from './config';

type GuardConfig = Pick<
  GatewayConfig,
  | 'GATEWAY_BREAKER_FAILURE_THRESHOLD'
  | 'GATEWAY_BREAKER_COOL_DOWN_MS'
  | 'GATEWAY_BULKHEAD_MAX_CONCURRENT'
  | 'GATEWAY_BULKHEAD_MAX_QUEUED'
>;

/**
 * The gateway's circuit breakers and bulkheads, all with the same settings and one pair of
 * metrics: one per subgraph (named as in the supergraph) and one per service whose internal
 * routes the gateway calls itself (`auth-internal`: API key checks; `tenancy-internal`: roles,
 * tenant origins), so a subgraph that hangs costs its own requests and nobody else's.
 */
export function gatewayGuards(config: GuardConfig, registry: Registry, now = Date.now) {
  const metrics = guardMetrics(registry);
  const guard = (target: string) =>
    new TargetGuard({
      target,
      failureThreshold: config.GATEWAY_BREAKER_FAILURE_THRESHOLD,
      coolDownMs: config.GATEWAY_BREAKER_COOL_DOWN_MS,
      maxConcurrent: config.GATEWAY_BULKHEAD_MAX_CONCURRENT,
      maxQueued: config.GATEWAY_BULKHEAD_MAX_QUEUED,
      now,
      metrics,
    });
  return {
    subgraph: guard,
    internal: { auth: guard('auth-internal'), tenancy: guard('tenancy-internal') },
  };
}
