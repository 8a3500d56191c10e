import type { RequestContext } from '../../platform/context/request-context';
import { platformScope, tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import type { ObservabilityConfig } from './config';
import { createObservabilityLoaders, type ObservabilityLoaders } from './loaders';
import { AlertChannelService } from './alerts/channels/alert-channel.service';
import { AlertRuleService } from './alerts/rules/alert-rule.service';
import { AlertService } from './alerts/alert.service';
import { AuditChainService } from './services/audit-chain.service';
import { AuditService } from './services/audit.service';
import { HealthService } from './services/health.service';
import { PlatformStatsService } from './services/platform-stats.service';
import { UsageService } from './services/usage.service';
import type { ObservabilityServices } from './setup';

export interface ObservabilityContext {
  request: RequestContext;
  health: HealthService;
  platformStats: PlatformStatsService;
  alertRules: AlertRuleService;
  alertChannels: AlertChannelService;
  alerts: AlertService;
  /** The platform's own rules and alerts (no tenant), for platform administrators. */
  platformAlertRules: AlertRuleService;
  platformAlertChannels: AlertChannelService;
  platformAlerts: AlertService;
  audit: AuditService;
  /** Verification and export of whole chains, for platform administrators. */
  auditChains: AuditChainService;
  usage: UsageService;
  loaders: ObservabilityLoaders;
}

export function createObservabilityContext(
  request: RequestContext,
  runtime: SubgraphRuntime<ObservabilityConfig>,
  services: ObservabilityServices,
): ObservabilityContext {
  const scope = tenantScope(runtime.dataSource, request);
  const platform = platformScope(runtime.dataSource);
  return {
    request,
    health: new HealthService(
      [
        { name: 'postgres', check: () => runtime.dataSource.query('SELECT 1') },
        { name: 'redis', check: () => runtime.redis.ping() },
      ],
      services.readiness,
    ),
    platformStats: new PlatformStatsService(
      services.queues,
      runtime.dataSource,
      runtime.config.DATABASE_SLOW_QUERY_MS,
    ),
    alertRules: new AlertRuleService(scope, services.recipients),
    alertChannels: new AlertChannelService(scope, services.alertChannels),
    alerts: new AlertService(scope, request),
    platformAlertRules: new AlertRuleService(platform, services.recipients),
    platformAlertChannels: new AlertChannelService(platform, services.alertChannels),
    platformAlerts: new AlertService(platform, request),
    audit: new AuditService(scope, platform),
    auditChains: new AuditChainService(
      runtime.dataSource,
      services.auditExportUrls,
      runtime.config.AUDIT_EXPORT_MAX_DAYS,
    ),
    usage: new UsageService(runtime.dataSource, request),
    loaders: createObservabilityLoaders(scope, platform),
  };
}
