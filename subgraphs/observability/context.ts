import type { RequestContext } from '../../platform/context';
import { tenantScope } from '../../platform/db';
import type { SubgraphRuntime } from '../../platform/graphql';
import { AlertRuleService } from './services/alert-rule.service';
import { HealthService } from './services/health.service';

export interface ObservabilityContext {
  request: RequestContext;
  health: HealthService;
  alertRules: AlertRuleService;
}

export function createObservabilityContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
): ObservabilityContext {
  const health = new HealthService([
    { name: 'postgres', check: () => runtime.dataSource.query('SELECT 1') },
    { name: 'redis', check: () => runtime.redis.ping() },
  ]);
  return {
    request,
    health,
    alertRules: new AlertRuleService(tenantScope(runtime.dataSource, request)),
  };
}
