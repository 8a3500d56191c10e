import type { DocumentNode, ExecutionResult } from 'graphql';
import type { RequestContext } from '../../platform/context/request-context';
import { ValidationError } from '../../platform/errors/domain-errors';
import { EVENT_TYPE_PATTERN, EventType } from '../../platform/events/event-types';
import { type PublishedEvent } from '../../platform/events/channel';
import type { ResolveOptions } from '../auth/role-resolver';
import type { FeedListener } from './event-feed';
import { eventRenderer, type EventRendererDeps } from './event-rendering';
import { resumableStream, SlowConsumerError } from './resumable-stream';
import type { RootSelection } from './selection';

/** Changes of a member's access, with the member's id as `payload.userId`. */
const MEMBER_ACCESS_CHANGES = new Set<string>([
  EventType.MEMBER_REMOVED,
  EventType.MEMBER_LEFT,
  EventType.MEMBER_ROLE_CHANGED,
]);
/** Changes of every subscriber's access to the tenant. */
const TENANT_ACCESS_CHANGES = new Set<string>([
  EventType.TENANT_STATUS_CHANGED,
  EventType.TENANT_DELETED,
]);

interface StreamItem {
  seq: bigint;
  type: string;
  /** A live event, rendered at delivery. */
  published?: PublishedEvent;
  /** A replayed event, already rendered by the gateway with the subscriber's selection. */
  rendered?: Record<string, unknown>;
}

export interface EventSubscriptionDeps extends EventRendererDeps {
  feed: FeedListener;
  /** Checks again, before every delivery, that the subscriber may still see the tenant. */
  reauthorize(request: RequestContext, options?: ResolveOptions): Promise<void>;
  maxBuffered: number;
  onDelivered(): void;
  onDropped(reason: 'slow_consumer' | 'forbidden'): void;
}

/**
 * `Subscription.events(types, afterSeq)`: the tenant's committed events in seq order, each
 * rendered with the subscriber's own selection and authorization. With `afterSeq` it first
 * replays the journal from there (see resumable-stream.ts), so a client that reconnects with
 * the last seq it saw misses nothing and sees nothing twice.
 */
export async function* eventSubscription(
  request: RequestContext,
  selection: RootSelection,
  args: { types?: string[] | null; afterSeq?: string | null },
  document: DocumentNode,
  variableValues: Record<string, unknown> | undefined,
  deps: EventSubscriptionDeps,
): AsyncGenerator<ExecutionResult> {
  const tenantId = request.tenantId!;
  const types = validTypes(args.types);
  const afterSeq = validSeq(args.afterSeq);
  const renderer = eventRenderer(request, selection, document, variableValues, deps);
  const stream = resumableStream<StreamItem>(
    {
      listen: (onEvent) =>
        deps.feed.listen(tenantId, (event) =>
          onEvent({ seq: BigInt(event.seq), type: event.type, published: event }),
        ),
      replay: (after, limit) => renderer.replay(after, limit),
      seqOf: (item) => item.seq,
    },
    { afterSeq, maxBuffered: deps.maxBuffered },
  );

  try {
    for await (const item of stream) {
      // Tenancy drops cached roles only after its commit (before it, a lookup could cache the
      // old role again), but the relay may publish the commit's event first: checked from the
      // cache (or a lookup in flight) the subscriber's own removal would still read as member,
      // and with no later event the subscription would stay open. The event is committed, so
      // tenancy asked now sees the change: such events are checked fresh, even if filtered out.
      const fresh = changesAccess(item, request);
      if (!fresh && types && !types.has(item.type)) continue;
      try {
        await deps.reauthorize(request, { fresh });
      } catch (error) {
        // guarded() (operation-hooks.ts) answers a coded refusal and ends the stream.
        deps.onDropped('forbidden');
        throw error;
      }
      if (types && !types.has(item.type)) continue;
      if (item.rendered) {
        yield { data: { [selection.responseKey]: item.rendered } };
      } else {
        yield await renderer.live(item.published!);
      }
      deps.onDelivered();
    }
  } catch (error) {
    if (error instanceof SlowConsumerError) deps.onDropped('slow_consumer');
    throw error;
  } finally {
    await stream.return?.();
  }
}

/** Whether the event may change what the subscriber is allowed to see. */
function changesAccess(item: StreamItem, request: RequestContext): boolean {
  if (TENANT_ACCESS_CHANGES.has(item.type)) return true;
  if (!MEMBER_ACCESS_CHANGES.has(item.type)) return false;
  // A replayed event is rendered with the subscriber's selection, which may omit the payload.
  if (!item.published) return true;
  const userId = item.published.payload.userId;
  return typeof userId === 'string' && userId.toLowerCase() === request.principal?.id.toLowerCase();
}

function validTypes(types: string[] | null | undefined): Set<string> | null {
  if (!types) return null;
  if (
    types.length === 0 ||
    types.length > 20 ||
    !types.every((type) => EVENT_TYPE_PATTERN.test(type))
  ) {
    throw new ValidationError('types must be 1 to 20 event types like "assets.asset.created"', {
      field: 'types',
    });
  }
  return new Set(types);
}

function validSeq(seq: string | null | undefined): bigint | null {
  if (seq === null || seq === undefined) return null;
  if (!/^(0|[1-9][0-9]{0,18})$/.test(seq)) {
    throw new ValidationError('afterSeq must be a seq from an event', { field: 'afterSeq' });
  }
  return BigInt(seq);
}
