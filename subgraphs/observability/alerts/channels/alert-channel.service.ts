import { randomUUID } from 'node:crypto';
import type { Scope } from '../../../../platform/db/scope';
import {
  maskChannelSecret,
  validateChannelSecret,
  type ChannelSecretOptions,
} from '../../../../platform/contracts/observability/alert-channel-secrets';
import {
  AlertChannelRepository,
  ALERT_CHANNEL_KINDS,
  type AlertChannelKind,
  type AlertChannelRow,
} from '../../../../platform/contracts/observability/alert-channel.repository';
import type { KeyRing } from '../../../../platform/crypto/key-ring';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../../../platform/errors/domain-errors';
import { isUuid } from '../../../../platform/graphql/ids';
import { AlertOwnerLockRepository } from '../repositories/alert-owner-lock.repository';
import { AlertRuleRepository } from '../repositories/alert-rule.repository';

/** The most secret channels one tenant (or the platform) may have; bounds the list too. */
export const MAX_ALERT_CHANNELS_PER_OWNER = 50;

export interface AlertChannelInput {
  kind: AlertChannelKind;
  name: string;
  secret: string;
}

/** A channel as queries show it: the secret masked, never decrypted on the way out. */
export interface AlertChannelView {
  id: string;
  kind: AlertChannelKind;
  name: string;
  target: string;
  channel: string;
  createdAt: Date;
}

export interface AlertChannelDeps {
  keyRing: KeyRing;
  secrets: ChannelSecretOptions;
}

/**
 * A tenant's Slack and PagerDuty alert channels, or the platform's. Who may call is settled by
 * the field policies (as for alert rules); this encrypts the secret (associated data: the
 * channel's id, so an envelope cannot be moved to another row) and keeps a channel that a
 * rule still names from being deleted.
 */
export class AlertChannelService {
  constructor(
    private readonly scope: Scope,
    private readonly deps: AlertChannelDeps,
  ) {}

  list(): Promise<AlertChannelView[]> {
    return this.scope.run(async (manager) =>
      (
        await new AlertChannelRepository(manager).list(
          this.scope.tenantId,
          MAX_ALERT_CHANNELS_PER_OWNER,
        )
      ).map(toView),
    );
  }

  async create(input: AlertChannelInput): Promise<AlertChannelView> {
    if (!(ALERT_CHANNEL_KINDS as readonly string[]).includes(input.kind)) {
      throw new ValidationError(`kind must be one of ${ALERT_CHANNEL_KINDS.join(', ')}`, {
        field: 'kind',
      });
    }
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) {
      throw new ValidationError('name must be 1 to 100 characters', { field: 'name' });
    }
    const secret = await validateChannelSecret(input.kind, input.secret, this.deps.secrets);
    const id = randomUUID();
    const tenantId = this.scope.tenantId;
    return this.scope.run(async (manager) => {
      const channels = new AlertChannelRepository(manager);
      // One owner's creations take turns, so two at once cannot both pass the cap.
      await new AlertOwnerLockRepository(manager).lockChannelCreation(tenantId);
      if ((await channels.count(tenantId)) >= MAX_ALERT_CHANNELS_PER_OWNER) {
        throw new ConflictError(
          `${tenantId ? 'A tenant' : 'The platform'} may have at most ${MAX_ALERT_CHANNELS_PER_OWNER} alert channels`,
        );
      }
      try {
        const row = await channels.insert({
          id,
          tenantId,
          kind: input.kind,
          name,
          secretCiphertext: this.deps.keyRing.encrypt(secret, id),
          secretHint: maskChannelSecret(input.kind, secret),
        });
        return toView(row);
      } catch (error) {
        if (/alert_channels_(tenant|platform)_name_key/.test(String(error))) {
          throw new ConflictError(`An alert channel named "${name}" exists already`);
        }
        throw error;
      }
    });
  }

  /** Refused (CONFLICT) while a rule of the owner still sends to the channel. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) throw new NotFoundError('Alert channel');
    const channelId = id.toLowerCase();
    return this.scope.run(async (manager) => {
      const channels = new AlertChannelRepository(manager);
      const channel = await channels.findByIdForUpdate(channelId);
      if (!channel) throw new NotFoundError('Alert channel');
      const rules = await new AlertRuleRepository(manager).namesSendingTo(channelName(channel));
      if (rules.length > 0) {
        throw new ConflictError(
          `The alert channel is in use by the rules ${rules.join(', ')}: change them first`,
        );
      }
      return channels.delete(channelId);
    });
  }
}

/** What a rule writes in its channels to send to this one. */
function channelName(channel: Pick<AlertChannelRow, 'kind' | 'id'>): string {
  return `${channel.kind.toLowerCase()}:${channel.id}`;
}

function toView(row: AlertChannelRow): AlertChannelView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    target: row.secretHint,
    channel: channelName(row),
    createdAt: row.createdAt,
  };
}
