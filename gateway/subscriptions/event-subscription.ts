import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import {
  execute,
  GraphQLError,
  print,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { RequestContext } from '../../platform/context';
import { ValidationError } from '../../platform/errors';
import {
  EVENT_TYPE_PATTERN,
  EventType,
  mayReadEventActor,
  mayReadEventOrigin,
  type PublishedEvent,
} from '../../platform/events';
import type { ResolveOptions } from '../auth/role-resolver';
import type { GatewayContext } from '../gateway-context';
import type { FeedListener } from './event-feed';
import { resumableStream, SlowConsumerError } from './resumable-stream';
import { queryFor, selectsOnly, type RootSelection } from './selection';

/** Event fields the relay's message carries: selections of only these need no subgraph. */
const LOCAL_FIELDS = new Set([
  'id',
  'seq',
  'type',
  'payload',
  'requestId',
  'ip',
  'userAgent',
  'occurredAt',
  'actorKind',
  'actorId',
  '__typename',
]);
const ACTOR_KINDS = { user: 'USER', apiKey: 'API_KEY', system: 'SYSTEM' } as const;
const REPLAY_PAGE = 100;
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

/**
 * Live events rendered with a selection, per event object (one per message, shared by every
 * subscriber on this gateway: see event-feed.ts): subscribers with the same document, variables
 * and view of the event's origin get one execution between them, not one each. Entries go
 * with the event object.
 */
const renderings = new WeakMap<PublishedEvent, Map<string, Promise<ExecutionResult>>>();

function renderedOnce(
  event: PublishedEvent,
  key: string,
  render: () => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  let byKey = renderings.get(event);
  if (!byKey) renderings.set(event, (byKey = new Map()));
  let rendering = byKey.get(key);
  if (!rendering) byKey.set(key, (rendering = render()));
  return rendering;
}

interface StreamItem {
  seq: bigint;
  type: string;
  /** A live event, rendered at delivery. */
  published?: PublishedEvent;
  /** A replayed event, already rendered by the gateway with the subscriber's selection. */
  rendered?: Record<string, unknown>;
}

export interface EventSubscriptionDeps {
  feed: FeedListener;
  apollo: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
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
  const local = selectsOnly(selection, LOCAL_FIELDS);
  const context: GatewayContext = { request, delivery: true };
  // What a live event's rendering depends on besides the event (see eventObject), and the
  // actor's visibility too, so a rendering never crosses a line the journal's rules draw.
  const renderKey = local
    ? [
        mayReadEventOrigin(request) ? 'origin' : 'no-origin',
        mayReadEventActor(request) ? 'actor' : 'no-actor',
        variablesKey(variableValues),
        print(document),
      ].join('\n')
    : '';

  const run = async (query: string, variables: Record<string, unknown>) => {
    const response = await deps.apollo.executeOperation(
      { query, variables: { ...variableValues, ...variables } },
      { contextValue: context },
    );
    if (response.body.kind !== 'single') throw new Error('unexpected incremental delivery');
    return response.body.singleResult;
  };

  // Built on first use: most subscriptions ask for no replay, and selections of local fields
  // never render through a subgraph, so an idle subscription holds neither query string.
  let replayQuery: string | undefined;
  let renderQuery: string | undefined;
  const replayQueryText = () =>
    (replayQuery ??= queryFor(
      selection,
      {
        open: 'events(first: $__first, afterSeq: $__after) { nodes {',
        close: '} }',
        variables: '$__first: Int!, $__after: String!',
      },
      '__seq: seq __type: type',
    ));
  const renderQueryText = () =>
    (renderQuery ??= queryFor(selection, {
      open: 'event(id: $__id) {',
      close: '}',
      variables: '$__id: ID!',
    }));

  const stream = resumableStream<StreamItem>(
    {
      listen: (onEvent) =>
        deps.feed.listen(tenantId, (event) =>
          onEvent({ seq: BigInt(event.seq), type: event.type, published: event }),
        ),
      async replay(after, limit) {
        const result = await run(replayQueryText(), {
          __first: Math.min(limit, REPLAY_PAGE),
          __after: after.toString(),
        });
        if (result.errors?.length)
          throw new GraphQLError(result.errors[0]!.message, result.errors[0]);
        const nodes = (result.data as { events: { nodes: Record<string, unknown>[] } }).events
          .nodes;
        return nodes.map(({ __seq, __type, ...rendered }) => ({
          seq: BigInt(String(__seq)),
          type: String(__type),
          rendered,
        }));
      },
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
        // guarded() (subscription-server.ts) answers a coded refusal and ends the stream.
        deps.onDropped('forbidden');
        throw error;
      }
      if (types && !types.has(item.type)) continue;
      if (item.rendered) {
        yield { data: { [selection.responseKey]: item.rendered } };
      } else if (local) {
        const event = item.published!;
        yield await renderedOnce(
          event,
          renderKey,
          async () =>
            (await execute({
              schema: deps.schema,
              document,
              rootValue: { [selection.field.name.value]: eventObject(event, request) },
              contextValue: context,
              variableValues,
            })) as ExecutionResult,
        );
      } else {
        const result = await run(renderQueryText(), { __id: item.published!.id });
        yield {
          data: result.data ? { [selection.responseKey]: result.data.event } : null,
          ...(result.errors
            ? { errors: result.errors.map((e) => new GraphQLError(e.message, e)) }
            : {}),
        };
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

/** The event as the subgraph would render it for this subscriber (see event-visibility.ts). */
function eventObject(event: PublishedEvent, request: RequestContext) {
  const origin = mayReadEventOrigin(request);
  return {
    id: event.id,
    seq: event.seq,
    type: event.type,
    payload: event.payload,
    requestId: event.requestId,
    ip: origin ? event.ip : null,
    userAgent: origin ? event.userAgent : null,
    occurredAt: event.occurredAt,
    actorKind: event.actor ? ACTOR_KINDS[event.actor.kind] : null,
    actorId: event.actor?.id ?? null,
  };
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

/**
 * The variables as part of a rendering's key; values JSON cannot hold (too deeply nested, say)
 * get a key of their own, so that subscription renders alone rather than failing.
 */
function variablesKey(values: Record<string, unknown> | undefined): string {
  try {
    return JSON.stringify(values ?? {});
  } catch {
    return randomUUID();
  }
}
