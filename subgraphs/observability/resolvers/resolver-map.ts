import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql/scalars';
import type { Resolvers } from '../generated/resolvers-types';
import { NotFoundError } from '../../../platform/errors/domain-errors';
import { targetOf } from '../audit/audit-actions';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Cursor: CursorScalar,
  Query: {
    health: (_parent, _args, { health }) => health.health(),
    tenantUsage: (_parent, args, { usage }) => usage.tenantUsage(args),
    queueStats: (_parent, _args, { platformStats }) => platformStats.queueStats(),
    databaseStats: (_parent, _args, { platformStats }) => platformStats.databaseStats(),
    alertRules: (_parent, _args, { alertRules }) => alertRules.list(),
    alerts: (_parent, { active }, { alerts }) => alerts.list(active),
    alert: (_parent, { id }, { alerts }) => alerts.byId(id),
    platformAlertRules: (_parent, _args, { platformAlertRules }) => platformAlertRules.list(),
    platformAlerts: (_parent, { active }, { platformAlerts }) => platformAlerts.list(active),
    platformAlert: (_parent, { id }, { platformAlerts }) => platformAlerts.byId(id),
    alertChannels: (_parent, _args, { alertChannels }) => alertChannels.list(),
    platformAlertChannels: (_parent, _args, { platformAlertChannels }) =>
      platformAlertChannels.list(),
    auditLog: (_parent, args, { audit }) => audit.tenantLog(args),
    platformAuditLog: (_parent, args, { audit }) => audit.platformLog(args),
    verifyAuditChain: async (_parent, { tenantId }, { auditChains }) => {
      const result = await auditChains.verify(tenantId);
      return { ...result, checkedRows: result.checked };
    },
    auditExport: (_parent, { from, to, tenantId }, { auditChains }) =>
      auditChains.exportUrl({ from: new Date(from), to: new Date(to), tenantId }),
  },
  Mutation: {
    createAlertRule: (_parent, { input }, { alertRules }) => alertRules.create(input),
    updateAlertRule: (_parent, { id, input }, { alertRules }) => alertRules.update(id, input),
    deleteAlertRule: (_parent, { id }, { alertRules }) => alertRules.delete(id),
    acknowledgeAlert: (_parent, { id }, { alerts }) => alerts.acknowledge(id),
    createPlatformAlertRule: (_parent, { input }, { platformAlertRules }) =>
      platformAlertRules.create(input),
    updatePlatformAlertRule: (_parent, { id, input }, { platformAlertRules }) =>
      platformAlertRules.update(id, input),
    deletePlatformAlertRule: (_parent, { id }, { platformAlertRules }) =>
      platformAlertRules.delete(id),
    acknowledgePlatformAlert: (_parent, { id }, { platformAlerts }) =>
      platformAlerts.acknowledge(id),
    createAlertChannel: (_parent, { input }, { alertChannels }) => alertChannels.create(input),
    deleteAlertChannel: (_parent, { id }, { alertChannels }) => alertChannels.delete(id),
    createPlatformAlertChannel: (_parent, { input }, { platformAlertChannels }) =>
      platformAlertChannels.create(input),
    deletePlatformAlertChannel: (_parent, { id }, { platformAlertChannels }) =>
      platformAlertChannels.delete(id),
  },
  Alert: {
    rule: async (alert, _args, { loaders }) => {
      // A platform alert's rule is read in a platform transaction, a tenant's in the tenant's.
      const loader = alert.tenantId === null ? loaders.platformRuleById : loaders.ruleById;
      const rule = await loader.load(alert.ruleId);
      // Alerts go with their rule (ON DELETE CASCADE): a missing rule is a bug, not a null.
      if (!rule) throw new NotFoundError('Alert rule');
      return rule;
    },
    acknowledgedBy: (alert) =>
      alert.acknowledgedBy ? { __typename: 'User', id: alert.acknowledgedBy } : null,
  },
  AuditEntry: {
    id: (entry) => entry.eventId,
    action: (entry) => entry.action,
    actor: (entry) =>
      entry.actorKind === 'user' && entry.actorId
        ? { __typename: 'User', id: entry.actorId }
        : null,
    target: (entry) => targetOf(entry.payload),
    at: (entry) => entry.occurredAt,
    details: (entry) => entry.payload,
    requestId: (entry) => entry.requestId,
  },
};
