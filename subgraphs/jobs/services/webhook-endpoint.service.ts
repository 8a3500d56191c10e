import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../platform/context/request-context';
import type { TenantScope } from '../../../platform/db/scope';
import { NotFoundError, ValidationError } from '../../../platform/errors/domain-errors';
import { appendEvent, prepareEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { isUuid, parseId } from '../../../platform/graphql/ids';
import type { WebhookEndpointEntity, WebhookStatus } from '../entities/webhook-endpoint.entity';
import type { JobsLoaders } from '../loaders';
import {
  ENDPOINT_CREATION_LOCK,
  WebhookEndpointRepository,
  type EndpointChanges,
} from '../repositories/webhook-endpoint.repository';
import { runVerificationChallenge } from '../webhooks/endpoint-verification';
import { validateEventTypeFilters } from '../webhooks/event-filter';
import { assertJournalReader } from '../webhooks/journal-access';
import { generateWebhookSecret } from '../webhooks/signature';
import { MAX_ENDPOINTS_PER_TENANT } from '../webhooks/webhook-config';
import { liveSecrets } from '../webhooks/webhook-message';
import type { WebhookServices } from '../webhooks/webhook-services';
import { validateWebhookUrl } from '../../../platform/outbound/webhook-url';
import { refuseNulls, validDescription, validGraceSeconds, validRateLimit } from './endpoint-input';

export { MAX_ENDPOINTS_PER_TENANT };

export interface WebhookEndpointInput {
  url: string;
  description?: string | null;
  eventTypes: string[];
  rateLimitPerSecond?: number | null;
}

export interface WebhookEndpointPatch {
  url?: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  rateLimitPerSecond?: number | null;
  status?: WebhookStatus | null;
}

export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpointEntity;
  /** `whsec_…`: shown once, stored only encrypted. */
  secret: string;
}

/** A tenant's webhook endpoints, for its ADMINs and API keys with `webhooks:manage`. */
export class WebhookEndpointService {
  constructor(
    private readonly request: RequestContext,
    private readonly scope: TenantScope,
    private readonly loaders: JobsLoaders,
    private readonly webhooks: WebhookServices,
  ) {}

  list(): Promise<WebhookEndpointEntity[]> {
    return this.scope.run((manager) =>
      new WebhookEndpointRepository(manager).listForTenant(
        this.scope.tenantId,
        MAX_ENDPOINTS_PER_TENANT,
      ),
    );
  }

  byId(id: string): Promise<WebhookEndpointEntity | null> {
    return this.loaders.endpointById.load(parseId(id));
  }

  async byReference(id: string): Promise<WebhookEndpointEntity | null> {
    return isUuid(id) ? this.loaders.endpointById.load(id.toLowerCase()) : null;
  }

  /** A new endpoint, PENDING_VERIFICATION until it passes `verify`, with its secret. */
  async create(input: WebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
    assertJournalReader(this.request, 'Mutation.createWebhookEndpoint');
    const url = await this.validUrl(input.url);
    const description = validDescription(input.description);
    const eventTypes = validateEventTypeFilters(input.eventTypes);
    const rateLimitPerSecond = validRateLimit(input.rateLimitPerSecond);
    const tenantId = this.scope.tenantId;
    const max = this.webhooks.maxEndpointsPerTenant;
    const id = randomUUID();
    const secret = generateWebhookSecret();
    // The URL's path and query may hold a token of the receiver's; the journal keeps the origin.
    const created = prepareEvent({
      type: EventType.WEBHOOK_ENDPOINT_CREATED,
      payload: { endpointId: id, origin: new URL(url).origin, eventTypes },
    });
    const endpoint = await this.scope.run(
      (manager) =>
        new WebhookEndpointRepository(manager).insertWithinLimit(
          {
            id,
            tenantId,
            url,
            description,
            eventTypes,
            status: 'PENDING_VERIFICATION',
            verifiedAt: null,
            rateLimitPerSecond,
            secretCiphertext: this.webhooks.keyRing.encrypt(secret, id),
            previousSecretCiphertext: null,
            previousSecretExpiresAt: null,
            failingSince: null,
            disabledReason: null,
          },
          max,
          created,
        ),
      { lockTenant: ENDPOINT_CREATION_LOCK },
    );
    if (!endpoint) {
      throw new ValidationError(
        `A tenant can have at most ${max} webhook endpoints; delete one first`,
        { limit: max },
      );
    }
    return { endpoint, secret };
  }

  /**
   * Changes what is given. A new URL sends the endpoint back to PENDING_VERIFICATION (the
   * proof of ownership was for the old one); ACTIVE can only be set on a verified endpoint.
   */
  async update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointEntity> {
    const endpointId = parseId(id);
    const changes: EndpointChanges = {};
    refuseNulls(patch);
    if (patch.url !== undefined || patch.eventTypes !== undefined) {
      assertJournalReader(this.request, 'Mutation.updateWebhookEndpoint');
    }
    if (patch.status === 'PENDING_VERIFICATION') {
      throw new ValidationError(
        'status cannot be set to PENDING_VERIFICATION; change the url or run verifyWebhookEndpoint',
        { field: 'status' },
      );
    }
    const url = patch.url === undefined ? undefined : await this.validUrl(patch.url);
    if (patch.description !== undefined) changes.description = validDescription(patch.description);
    if (patch.eventTypes !== undefined) {
      changes.eventTypes = validateEventTypeFilters(patch.eventTypes);
    }
    if (patch.rateLimitPerSecond !== undefined) {
      changes.rateLimitPerSecond = validRateLimit(patch.rateLimitPerSecond);
    }
    return this.scope.run(async (manager) => {
      const endpoints = new WebhookEndpointRepository(manager);
      const endpoint = await endpoints.findWithSecrets(endpointId, true);
      if (!endpoint) throw new NotFoundError('Webhook endpoint');
      const urlChanged = url !== undefined && url !== endpoint.url;
      if (urlChanged) {
        if (patch.status) {
          throw new ValidationError(
            'a new url must be verified first: change the url and the status separately',
            { field: 'status' },
          );
        }
        Object.assign(changes, { url, status: 'PENDING_VERIFICATION', verifiedAt: null });
      }
      if (patch.status && patch.status !== endpoint.status) {
        if (patch.status === 'ACTIVE' && !endpoint.verifiedAt) {
          throw new ValidationError(
            'the endpoint has not been verified: run verifyWebhookEndpoint to activate it',
            { field: 'status' },
          );
        }
        changes.status = patch.status;
        if (patch.status === 'ACTIVE') Object.assign(changes, resetFailures());
      }
      await endpoints.update(endpointId, changes);
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_UPDATED,
        payload: {
          endpointId,
          changed: Object.keys(changes).sort(),
          ...(changes.status ? { status: changes.status } : {}),
          ...(urlChanged ? { origin: new URL(url).origin } : {}),
        },
      });
      return (await endpoints.findById(endpointId))!;
    });
  }

  /** Deletes the endpoint with its deliveries and attempts; queued jobs find nothing to do. */
  async delete(id: string): Promise<boolean> {
    const endpointId = parseId(id);
    return this.scope.run(async (manager) => {
      if (!(await new WebhookEndpointRepository(manager).delete(endpointId))) {
        throw new NotFoundError('Webhook endpoint');
      }
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_DELETED,
        payload: { endpointId },
      });
      return true;
    });
  }

  /**
   * A new secret; the old one keeps signing beside it (two `v1,` signatures in the header)
   * for the grace period, so receivers can switch without losing a delivery.
   */
  async rotateSecret(
    id: string,
    gracePeriodSeconds?: number | null,
  ): Promise<WebhookEndpointWithSecret> {
    const endpointId = parseId(id);
    const grace = validGraceSeconds(gracePeriodSeconds);
    return this.scope.run(async (manager) => {
      const endpoints = new WebhookEndpointRepository(manager);
      const endpoint = await endpoints.findWithSecrets(endpointId, true);
      if (!endpoint) throw new NotFoundError('Webhook endpoint');
      const secret = generateWebhookSecret();
      await endpoints.update(endpointId, {
        secretCiphertext: this.webhooks.keyRing.encrypt(secret, endpointId),
        previousSecretCiphertext: grace > 0 ? endpoint.secretCiphertext : null,
        previousSecretExpiresAt: grace > 0 ? new Date(Date.now() + grace * 1000) : null,
      });
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_SECRET_ROTATED,
        payload: { endpointId, gracePeriodSeconds: grace },
      });
      return { endpoint: (await endpoints.findById(endpointId))!, secret };
    });
  }

  /**
   * Runs the ownership challenge against the endpoint's URL; on success the endpoint is
   * ACTIVE (a disabled one too: verifying again is how it comes back). On failure nothing
   * changes and the error says why.
   */
  async verify(id: string): Promise<WebhookEndpointEntity> {
    const endpointId = parseId(id);
    const endpoint = await this.scope.run((manager) =>
      new WebhookEndpointRepository(manager).findWithSecrets(endpointId),
    );
    if (!endpoint) throw new NotFoundError('Webhook endpoint');
    await runVerificationChallenge(
      endpoint,
      liveSecrets(this.webhooks.keyRing, endpoint),
      this.webhooks.policy,
      this.webhooks.resolve,
    );
    return this.scope.run(async (manager) => {
      const endpoints = new WebhookEndpointRepository(manager);
      const current = await endpoints.findWithSecrets(endpointId, true);
      if (!current) throw new NotFoundError('Webhook endpoint');
      if (current.url !== endpoint.url) {
        throw new ValidationError('the url changed during verification; verify again', {
          field: 'url',
        });
      }
      await endpoints.update(endpointId, {
        status: 'ACTIVE',
        verifiedAt: new Date(),
        ...resetFailures(),
      });
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_VERIFIED,
        payload: { endpointId },
      });
      return (await endpoints.findById(endpointId))!;
    });
  }

  private validUrl(url: string): Promise<string> {
    return validateWebhookUrl(url, {
      allowHttp: this.webhooks.allowHttp,
      policy: this.webhooks.policy,
      resolve: this.webhooks.resolve,
    });
  }
}

function resetFailures(): EndpointChanges {
  return { failingSince: null, disabledReason: null };
}
