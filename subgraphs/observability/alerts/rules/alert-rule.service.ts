import type { EntityManager } from 'typeorm';
import type { Scope } from '../../../../platform/db/scope';
import { AlertChannelRepository } from '../../../../platform/contracts/observability/alert-channel.repository';
import {
  formatAlertChannel,
  MAX_ALERT_CHANNELS,
  parseAlertChannel,
} from '../../../../platform/contracts/observability/alert-channels';
import { type AlertRecipientPolicy } from '../../../../platform/contracts/observability/alert-recipients';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../../platform/errors/domain-errors';
import { appendEvent } from '../../../../platform/events/append-event';
import { EventType } from '../../../../platform/events/event-types';
import { isUuid } from '../../../../platform/graphql/ids';
import { formatMetricSelector, parseMetricSelector } from '../alert-metrics';
import type { RuleOwner } from '../alert-scope';
import {
  COMPARATORS,
  SEVERITIES,
  type AlertRuleEntity,
  type Severity,
} from '../../entities/alert-rule.entity';
import { AlertOwnerLockRepository } from '../repositories/alert-owner-lock.repository';
import { AlertRuleRepository, type AlertRuleFields } from '../repositories/alert-rule.repository';
import { AlertStateRepository } from '../repositories/alert-state.repository';

/** The most rules one tenant (or the platform) may have; also bounds the unpaginated list. */
export const MAX_RULES_PER_TENANT = 200;
export const MAX_FOR_SECONDS = 86_400;

export interface AlertRuleInput {
  name: string;
  metric: string;
  comparator: string;
  threshold: number;
  forSeconds: number;
  severity: Severity;
  channels: string[];
  enabled?: boolean | null;
}

/**
 * A tenant's alert rules, or the platform's. Who may call is settled by the field policies
 * (tenant rules: MEMBER reads, ADMIN writes, API keys with alerts:manage; platform rules:
 * platform administrators only); this holds the rules of what a rule may say, and whom a
 * tenant's rule may mail.
 */
export class AlertRuleService {
  constructor(
    private readonly scope: Scope,
    private readonly recipients: AlertRecipientPolicy,
  ) {}

  list(): Promise<AlertRuleEntity[]> {
    return this.scope.run((manager) =>
      new AlertRuleRepository(manager).listForTenant(this.scope.tenantId, MAX_RULES_PER_TENANT),
    );
  }

  async create(input: AlertRuleInput): Promise<AlertRuleEntity> {
    const fields = validateRule(input, this.owner);
    await this.checkRecipients(fields.channels);
    const tenantId = this.scope.tenantId;
    return this.scope.run(async (manager) => {
      const rules = new AlertRuleRepository(manager);
      // One owner's creations take turns, so two at once cannot both pass the cap.
      await new AlertOwnerLockRepository(manager).lockRuleCreation(tenantId);
      if ((await rules.countForTenant(tenantId)) >= MAX_RULES_PER_TENANT) {
        throw new ConflictError(
          `${tenantId ? 'A tenant' : 'The platform'} may have at most ${MAX_RULES_PER_TENANT} alert rules`,
        );
      }
      await checkSecretChannels(manager, fields.channels);
      const rule = await uniqueName(() => rules.insert(tenantId, fields));
      await appendEvent(manager, {
        type: EventType.ALERT_RULE_CREATED,
        tenantId,
        payload: { ruleId: rule.id, ...summary(rule) },
      });
      return rule;
    });
  }

  /**
   * Replaces the rule. A changed metric, comparator, threshold or window starts it over (its
   * pending window and counter samples are forgotten); an open alert stays open until the
   * next evaluation decides, and disabling the rule resolves it there.
   */
  async update(id: string, input: AlertRuleInput): Promise<AlertRuleEntity> {
    const ruleId = validId(id);
    const fields = validateRule(input, this.owner);
    await this.checkRecipients(fields.channels);
    return this.scope.run(async (manager) => {
      const rules = new AlertRuleRepository(manager);
      const existing = await rules.findByIdForUpdate(ruleId);
      if (!existing) throw new NotFoundError('Alert rule');
      await checkSecretChannels(manager, fields.channels);
      const rule = (await uniqueName(() => rules.update(ruleId, fields)))!;
      if (
        existing.metric !== rule.metric ||
        existing.comparator !== rule.comparator ||
        existing.threshold !== rule.threshold ||
        existing.forSeconds !== rule.forSeconds
      ) {
        await new AlertStateRepository(manager).reset(ruleId);
      }
      await appendEvent(manager, {
        type: EventType.ALERT_RULE_UPDATED,
        tenantId: this.scope.tenantId,
        payload: { ruleId, ...summary(rule) },
      });
      return rule;
    });
  }

  /** Deletes the rule with its alerts and their pending notifications. */
  delete(id: string): Promise<boolean> {
    const ruleId = validId(id);
    return this.scope.run(async (manager) => {
      const rules = new AlertRuleRepository(manager);
      const existing = await rules.findByIdForUpdate(ruleId);
      if (!existing) throw new NotFoundError('Alert rule');
      await rules.delete(ruleId);
      await appendEvent(manager, {
        type: EventType.ALERT_RULE_DELETED,
        tenantId: this.scope.tenantId,
        payload: { ruleId, name: existing.name },
      });
      return true;
    });
  }

  /**
   * A tenant's rule mails only the tenant's verified members and the addresses the platform
   * allows (see platform/contracts/observability/alert-recipients.ts); the worker checks again at each send.
   */
  private async checkRecipients(channels: readonly string[]): Promise<void> {
    const tenantId = this.scope.tenantId;
    if (tenantId === null) return;
    const addresses = channels.flatMap((value) => {
      const channel = parseAlertChannel(value);
      return channel.kind === 'email' ? [channel.address] : [];
    });
    if (addresses.length === 0) return;
    const refused = await this.recipients.refused(tenantId, addresses);
    if (refused.length > 0) {
      throw new ForbiddenError(
        `A tenant's alert rules mail only its members with a verified email and the ` +
          `addresses the platform allows, not ${refused.join(', ')}`,
      );
    }
  }

  private get owner(): RuleOwner {
    return this.scope.tenantId === null ? 'platform' : 'tenant';
  }
}

/**
 * A `slack:` or `pagerduty:` channel must name an alert channel of that kind that the rule's
 * owner has: row-level security hides every other owner's, so another tenant's channel reads
 * as missing (BAD_USER_INPUT), exactly like one that never existed.
 */
async function checkSecretChannels(manager: EntityManager, channels: readonly string[]) {
  const wanted = channels
    .map(parseAlertChannel)
    .flatMap((channel) =>
      channel.kind === 'slack' || channel.kind === 'pagerduty' ? [channel] : [],
    );
  if (wanted.length === 0) return;
  const kinds = await new AlertChannelRepository(manager).kindsOf(
    wanted.map((channel) => channel.channelId),
  );
  for (const channel of wanted) {
    if (kinds.get(channel.channelId)?.toLowerCase() !== channel.kind) {
      throw new ValidationError(
        `${channel.kind}:${channel.channelId} names no ${channel.kind} alert channel of this owner`,
        { field: 'channels' },
      );
    }
  }
}

function summary(rule: AlertRuleEntity) {
  return {
    name: rule.name,
    metric: rule.metric,
    comparator: rule.comparator,
    threshold: rule.threshold,
    forSeconds: rule.forSeconds,
    severity: rule.severity,
    channels: rule.channels,
    enabled: rule.enabled,
  };
}

function validId(id: string): string {
  // Not a uuid cannot name a rule; answered like any unknown id.
  if (!isUuid(id)) throw new NotFoundError('Alert rule');
  return id.toLowerCase();
}

/** Checks and normalizes a rule; every problem is a BAD_USER_INPUT naming the field. */
export function validateRule(input: AlertRuleInput, owner: RuleOwner = 'tenant'): AlertRuleFields {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw new ValidationError('name must be 1 to 100 characters', { field: 'name' });
  }
  const metric = formatMetricSelector(parseMetricSelector(input.metric, owner));
  if (!(COMPARATORS as readonly string[]).includes(input.comparator)) {
    throw new ValidationError(`comparator must be one of ${COMPARATORS.join(' ')}`, {
      field: 'comparator',
    });
  }
  if (!Number.isFinite(input.threshold)) {
    throw new ValidationError('threshold must be a finite number', { field: 'threshold' });
  }
  if (
    !Number.isInteger(input.forSeconds) ||
    input.forSeconds < 0 ||
    input.forSeconds > MAX_FOR_SECONDS
  ) {
    throw new ValidationError(`forSeconds must be 0 to ${MAX_FOR_SECONDS}`, {
      field: 'forSeconds',
    });
  }
  if (!SEVERITIES.includes(input.severity)) {
    throw new ValidationError(`severity must be one of ${SEVERITIES.join(', ')}`, {
      field: 'severity',
    });
  }
  if (input.channels.length > MAX_ALERT_CHANNELS) {
    throw new ValidationError(`channels takes at most ${MAX_ALERT_CHANNELS} channels`, {
      field: 'channels',
    });
  }
  const parsed = input.channels.map(parseAlertChannel);
  // Webhook endpoints belong to tenants (their secrets and receivers are the tenant's): a
  // platform alert has none of its own to go to, and must not go to a tenant's.
  if (owner === 'platform' && parsed.some((channel) => channel.kind === 'webhook')) {
    throw new ValidationError(
      'channels of a platform rule are log or email:<address>: webhook endpoints belong to tenants',
      { field: 'channels' },
    );
  }
  const channels = [...new Set(parsed.map(formatAlertChannel))];
  return {
    name,
    metric,
    comparator: input.comparator,
    threshold: input.threshold,
    forSeconds: input.forSeconds,
    severity: input.severity,
    channels,
    enabled: input.enabled ?? true,
    // The owner has written the rule anew: a reason the platform gave no longer applies.
    disabledReason: null,
  };
}

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (
      (error as { code?: unknown }).code === '23505' ||
      /alert_rules_(tenant|platform)_name_key/.test(String(error))
    ) {
      throw new ConflictError('An alert rule with this name already exists');
    }
    throw error;
  }
}
