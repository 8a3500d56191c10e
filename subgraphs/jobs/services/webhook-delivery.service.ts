import { randomBytes, randomUUID } from 'node:crypto';
import type { TenantScope } from '../../../platform/db/scope';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import type { RequestContext } from '../../../platform/context/request-context';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  decodeCursor,
  toConnection,
  pageSize,
  type Connection,
} from '../../../platform/graphql/pagination';
import { isUuid, parseId } from '../../../platform/graphql/ids';
import type { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import type { DeliveryStatus, WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import type { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { JobsLoaders } from '../loaders';
import { EventRepository, type EventRecord } from '../repositories/event.repository';
import {
  WebhookDeliveryRepository,
  type InsertedDelivery,
} from '../repositories/webhook-delivery.repository';
import { firstDeliveryJobId, restartJobId } from '../webhooks/delivery-job';
import {
  EXCLUDED_EVENT_TYPE_PREFIX,
  isDeliverableEventType,
  typeSelection,
  validateExactTypes,
} from '../webhooks/event-filter';
import { assertJournalReader } from '../webhooks/journal-access';
import type { WebhookServices } from '../webhooks/webhook-services';
import { expiredEvent, testEvent } from './delivery-event';
import { activeEndpoint, enqueueOrUndo, newDelivery } from './delivery-sending';

/** A replay delivers at most this many events; a larger range must be split. */
export const MAX_REPLAY_EVENTS = 10_000;
/** The type of a test delivery when none is asked for. */
export const TEST_EVENT_TYPE = 'webhook.test';

export interface DeliveryListArgs {
  first?: number | null;
  after?: string | null;
  status?: DeliveryStatus | null;
}

/** Deliveries, their attempts, and the mutations that send again: test, retry, replay. */
export class WebhookDeliveryService {
  constructor(
    private readonly request: RequestContext,
    private readonly scope: TenantScope,
    private readonly loaders: JobsLoaders,
    private readonly webhooks: WebhookServices,
  ) {}

  /** An endpoint's deliveries, newest first, optionally in one status. */
  async listForEndpoint(
    endpoint: WebhookEndpointEntity,
    args: DeliveryListArgs,
  ): Promise<Connection<WebhookDeliveryEntity>> {
    const size = pageSize(args.first);
    const before = deliveryCursor(args.after);
    // An attempt log may lag: the read replica's when there is one.
    const rows = await this.scope.read((manager) =>
      new WebhookDeliveryRepository(manager).page({
        endpointId: endpoint.id,
        status: args.status ?? null,
        before,
        limit: size + 1,
      }),
    );
    const { nodes, pageInfo } = toConnection(rows, size, (row) => ({
      value: row.position,
      id: row.delivery.id,
    }));
    for (const { delivery } of nodes) this.loaders.deliveryById.prime(delivery.id, delivery);
    return { nodes: nodes.map(({ delivery }) => delivery), pageInfo };
  }

  byId(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.loaders.deliveryById.load(parseId(id));
  }

  attempts(delivery: WebhookDeliveryEntity): Promise<WebhookAttemptEntity[]> {
    return this.loaders.attemptsByDeliveryId.load(delivery.id);
  }

  async endpoint(delivery: WebhookDeliveryEntity): Promise<WebhookEndpointEntity> {
    const endpoint = await this.loaders.endpointById.load(delivery.endpointId);
    // The delivery's row goes with its endpoint (ON DELETE CASCADE), so this is only a race.
    if (!endpoint) throw new NotFoundError('Webhook endpoint');
    return endpoint;
  }

  /** The journal event, or the made-up one of a test delivery. */
  async event(delivery: WebhookDeliveryEntity): Promise<EventRecord> {
    if (delivery.syntheticEvent) return testEvent(delivery, delivery.syntheticEvent);
    const event = await this.loaders.eventById.load(delivery.eventId);
    // Past its retention the journal event is gone; the delivery keeps what it knew.
    return event ?? expiredEvent(delivery);
  }

  /** Sends a made-up event of `eventType` (or `webhook.test`) to an active endpoint. */
  async sendTest(endpointId: string, eventType?: string | null): Promise<WebhookDeliveryEntity> {
    const id = parseId(endpointId);
    const type = eventType ?? TEST_EVENT_TYPE;
    if (eventType != null && !isDeliverableEventType(eventType)) {
      throw new ValidationError(
        `"${eventType.slice(0, 64)}" is not an event type webhooks deliver`,
        {
          field: 'eventType',
        },
      );
    }
    const eventId = randomUUID();
    const [inserted] = await this.scope.run(async (manager) => {
      const endpoint = await activeEndpoint(manager, id);
      const rows = await new WebhookDeliveryRepository(manager).insertMany([
        newDelivery(this.request, endpoint, {
          eventId,
          eventType: type,
          origin: 'test',
          jobId: restartJobId(eventId, 'test'),
          syntheticEvent: {
            type,
            payload: {
              test: true,
              endpointId: id,
              message: 'A test webhook from Tessera: no event happened.',
            },
            occurredAt: new Date().toISOString(),
          },
        }),
      ]);
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_TEST_SENT,
        payload: { endpointId: id, deliveryId: rows[0]!.id, eventType: type },
      });
      return rows;
    });
    await enqueueOrUndo(this.webhooks.queue, this.scope, [inserted!], 'delete');
    return (await this.loaders.deliveryById.load(inserted!.id))!;
  }

  /**
   * Starts a FAILED or DEAD delivery again now, with a fresh retry schedule and a new job (the
   * old one, if it still waits, stands down). Also how a webhook dead letter is replayed.
   */
  async retry(id: string): Promise<WebhookDeliveryEntity> {
    const deliveryId = parseId(id);
    const { restarted, previousJobId } = await this.scope.run(async (manager) => {
      const deliveries = new WebhookDeliveryRepository(manager);
      const delivery = await deliveries.lockById(deliveryId);
      if (!delivery) throw new NotFoundError('Webhook delivery');
      await activeEndpoint(manager, delivery.endpointId);
      if (delivery.status === 'SUCCEEDED') {
        throw new ValidationError(
          'the delivery succeeded already; replayEvents sends its event again',
        );
      }
      if (delivery.status === 'PENDING' && (await this.jobAlive(delivery.jobId))) {
        throw new ConflictError('the delivery is in progress: its first attempt has not run yet');
      }
      const jobId = restartJobId(deliveryId, randomBytes(6).toString('hex'));
      await deliveries.update(deliveryId, {
        status: 'PENDING',
        jobId,
        runAttempts: 0,
        nextAttemptAt: new Date(),
        finishedAt: null,
      });
      await appendEvent(manager, {
        type: EventType.WEBHOOK_DELIVERY_RETRY_REQUESTED,
        payload: { deliveryId, endpointId: delivery.endpointId, eventId: delivery.eventId },
      });
      return {
        restarted: { ...delivery, status: 'PENDING' as const, jobId },
        previousJobId: delivery.jobId,
      };
    });
    await enqueueOrUndo(this.webhooks.queue, this.scope, [restarted], 'kill');
    // A retry still waiting in BullMQ would find it is no longer in charge; removing it saves
    // the wake-up. It may be running right now (then it is locked): that is fine too.
    await this.webhooks.queue.remove(previousJobId).catch(() => undefined);
    this.loaders.deliveryById.clear(deliveryId);
    return (await this.loaders.deliveryById.load(deliveryId))!;
  }

  /**
   * Delivers the journal's events of a time range to an endpoint again, oldest first, as new
   * deliveries (their `webhook-id` is still the event id). Returns how many were enqueued.
   */
  async replay(args: {
    endpointId: string;
    since: Date | string;
    until?: Date | string | null;
    types?: readonly string[] | null;
  }): Promise<number> {
    assertJournalReader(this.request, 'Mutation.replayEvents');
    const endpointId = parseId(args.endpointId, 'endpointId');
    const since = new Date(args.since);
    const until = args.until == null ? new Date() : new Date(args.until);
    if (since > until) {
      throw new ValidationError('since must not be after until', { field: 'since' });
    }
    const types = args.types == null ? null : validateExactTypes(args.types, 'types');
    const replayId = randomUUID();
    const inserted = await this.scope.run(async (manager) => {
      const endpoint = await activeEndpoint(manager, endpointId);
      const selection = typeSelection(endpoint.eventTypes, types);
      const events = await new EventRepository(manager).findForReplay({
        tenantId: this.scope.tenantId,
        since,
        until,
        ...selection,
        excludedPrefix: EXCLUDED_EVENT_TYPE_PREFIX,
        limit: MAX_REPLAY_EVENTS + 1,
      });
      if (events.length > MAX_REPLAY_EVENTS) {
        throw new ValidationError(
          `the range holds more than ${MAX_REPLAY_EVENTS} events; narrow since/until or types`,
          { field: 'since', limit: MAX_REPLAY_EVENTS },
        );
      }
      const deliveries = new WebhookDeliveryRepository(manager);
      const rows: InsertedDelivery[] = [];
      for (let start = 0; start < events.length; start += 1_000) {
        rows.push(
          ...(await deliveries.insertMany(
            events.slice(start, start + 1_000).map((event) =>
              newDelivery(this.request, endpoint, {
                eventId: event.id,
                eventType: event.type,
                origin: 'replay',
                replayId,
                jobId: `${firstDeliveryJobId(endpointId, event.id)}-${replayId}`,
              }),
            ),
          )),
        );
      }
      await appendEvent(manager, {
        type: EventType.WEBHOOK_ENDPOINT_REPLAY_REQUESTED,
        payload: {
          endpointId,
          replayId,
          count: rows.length,
          since: since.toISOString(),
          until: until.toISOString(),
          types,
        },
      });
      return rows;
    });
    await enqueueOrUndo(this.webhooks.queue, this.scope, inserted, 'delete');
    return inserted.length;
  }

  /** Whether the job in charge of a delivery may still run (not failed for good, not gone). */
  private async jobAlive(jobId: string): Promise<boolean> {
    const state = await this.webhooks.queue.getJobState(jobId);
    return state !== 'failed' && state !== 'unknown' && state !== 'completed';
  }
}

function deliveryCursor(
  after: string | null | undefined,
): { createdAt: string; id: string } | null {
  const position = decodeCursor(after);
  if (!position) return null;
  if (!isUuid(position.id) || Number.isNaN(Date.parse(position.value))) {
    throw new ValidationError('after is not a cursor of deliveries', { field: 'after' });
  }
  return { createdAt: position.value, id: position.id };
}

/** `WebhookEndpoint.deliveries` as the resolvers return it. */
export type WebhookDeliveryConnectionModel = Connection<WebhookDeliveryEntity>;
