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
import type { RequestContext } from '../../platform/context/request-context';
import { mayReadEventActor, mayReadEventOrigin } from '../../platform/events/event-visibility';
import { type PublishedEvent } from '../../platform/events/channel';
import type { GatewayContext } from '../gateway-context';
import { queryFor, renderingVariableNames, selectsOnly, type RootSelection } from './selection';

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
  if (!byKey) renderings.set(event, (byKey = new Map<string, Promise<ExecutionResult>>()));
  let rendering = byKey.get(key);
  if (!rendering) byKey.set(key, (rendering = render()));
  return rendering;
}

/** A journal event rendered with the subscriber's selection, with its seq and type. */
export interface ReplayedEvent {
  seq: bigint;
  type: string;
  rendered: Record<string, unknown>;
}

export interface EventRenderer {
  /** Up to `limit` events after `after`, from the journal, rendered through the gateway. */
  replay(after: bigint, limit: number): Promise<ReplayedEvent[]>;
  /** A live event, rendered locally when the selection allows, else through the gateway. */
  live(event: PublishedEvent): Promise<ExecutionResult>;
}

export interface EventRendererDeps {
  apollo: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
}

/** Renders one subscriber's events with its own selection, variables and authorization. */
export function eventRenderer(
  request: RequestContext,
  selection: RootSelection,
  document: DocumentNode,
  variableValues: Record<string, unknown> | undefined,
  deps: EventRendererDeps,
): EventRenderer {
  const local = selectsOnly(selection, LOCAL_FIELDS);
  const context: GatewayContext = { request, delivery: true };
  const renderKey = local ? localRenderKey(request, document, selection, variableValues) : '';
  const queries = lazyQueries(selection);
  const run = async (query: string, variables: Record<string, unknown>) => {
    const response = await deps.apollo.executeOperation(
      { query, variables: { ...variableValues, ...variables } },
      { contextValue: context },
    );
    if (response.body.kind !== 'single') throw new Error('unexpected incremental delivery');
    return response.body.singleResult;
  };
  return {
    async replay(after, limit) {
      const result = await run(queries.replay(), {
        __first: Math.min(limit, REPLAY_PAGE),
        __after: after.toString(),
      });
      if (result.errors?.length)
        throw new GraphQLError(result.errors[0]!.message, result.errors[0]);
      const nodes = (result.data as { events: { nodes: Record<string, unknown>[] } }).events.nodes;
      return nodes.map(({ __seq, __type, ...rendered }) => ({
        seq: BigInt(String(__seq)),
        type: String(__type),
        rendered,
      }));
    },
    async live(event) {
      if (local) {
        return renderedOnce(
          event,
          renderKey,
          async () =>
            await execute({
              schema: deps.schema,
              document,
              rootValue: { [selection.field.name.value]: eventObject(event, request) },
              contextValue: context,
              variableValues,
            }),
        );
      }
      const result = await run(queries.render(), { __id: event.id });
      return {
        data: result.data ? { [selection.responseKey]: result.data.event } : null,
        ...(result.errors
          ? { errors: result.errors.map((e) => new GraphQLError(e.message, e)) }
          : {}),
      };
    },
  };
}

/**
 * What a live event's rendering depends on besides the event (see eventObject), and the
 * actor's visibility too, so a rendering never crosses a line the journal's rules draw.
 *
 * Of the variables, only those that shape the rendering count (renderingVariableNames): the
 * root field's own arguments (`types`, `afterSeq`) choose which events a subscriber gets, not
 * how one is rendered (the root value is the event itself). Subscribers that filter
 * differently, or resumed from different seqs, still share one rendering of each event.
 */
function localRenderKey(
  request: RequestContext,
  document: DocumentNode,
  selection: RootSelection,
  variableValues: Record<string, unknown> | undefined,
): string {
  const rendering: Record<string, unknown> = {};
  for (const name of renderingVariableNames(selection)) {
    if (variableValues && Object.hasOwn(variableValues, name)) {
      rendering[name] = variableValues[name];
    }
  }
  return [
    mayReadEventOrigin(request) ? 'origin' : 'no-origin',
    mayReadEventActor(request) ? 'actor' : 'no-actor',
    variablesKey(rendering),
    print(document),
  ].join('\n');
}

/**
 * The replay and render queries, built on first use: most subscriptions ask for no replay, and
 * selections of local fields never render through a subgraph, so an idle subscription holds
 * neither query string.
 */
function lazyQueries(selection: RootSelection): { replay(): string; render(): string } {
  let replayQuery: string | undefined;
  let renderQuery: string | undefined;
  return {
    replay: () =>
      (replayQuery ??= queryFor(
        selection,
        {
          open: 'events(first: $__first, afterSeq: $__after) { nodes {',
          close: '} }',
          variables: '$__first: Int!, $__after: String!',
        },
        '__seq: seq __type: type',
      )),
    render: () =>
      (renderQuery ??= queryFor(selection, {
        open: 'event(id: $__id) {',
        close: '}',
        variables: '$__id: ID!',
      })),
  };
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

/**
 * The variables as part of a rendering's key; values JSON cannot hold (too deeply nested, say)
 * get a key of their own, so that subscription renders alone rather than failing.
 */
function variablesKey(values: Record<string, unknown>): string {
  try {
    return JSON.stringify(values);
  } catch {
    return randomUUID();
  }
}
