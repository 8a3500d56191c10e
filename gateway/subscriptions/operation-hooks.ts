import type { ApolloServer } from '@apollo/server';
import {
  getArgumentValues,
  getOperationAST,
  GraphQLError,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { RequestContext } from '../../platform/context/request-context';
import { DomainError } from '../../platform/errors/domain-errors';
import { ErrorCode } from '../../platform/errors/codes';
import { toGraphQLError } from '../policies/access-plugin';
import type { ResolveOptions } from '../auth/role-resolver';
import type { GatewayContext } from '../gateway-context';
import { checkOperation, type OperationChecks } from '../policies/operation-access';
import type { EdgeRateLimits } from '../security/rate-limits';
import type { UsageRecorder } from '../usage/usage-recorder';
import { TOO_SLOW } from './close-codes';
import type { ConnectionState, SocketServerOptions } from './connection-hooks';
import { declaredVariables } from './declared-variables';
import { derivedSubscription } from './derived-subscription';
import { DERIVED } from './derived-specs';
import type { DocumentCache } from './document-cache';
import { countedListener, type EventFeed } from './event-feed';
import { eventSubscription } from './event-subscription';
import type { SubscriptionMetrics } from './metrics';
import { SlowConsumerError } from './resumable-stream';
import { rootSelection } from './selection';

export interface SubscriptionDeps {
  apollo: ApolloServer<GatewayContext>;
  maxBuffered: number;
  reauthorize: (request: RequestContext, resolve?: ResolveOptions) => Promise<void>;
  onDelivered: () => void;
  onDropped: (reason: 'slow_consumer' | 'forbidden') => void;
}

export interface OperationHooksOptions {
  apollo: ApolloServer<GatewayContext>;
  schema: () => GraphQLSchema | undefined;
  checks: Required<OperationChecks>;
  rateLimits?: EdgeRateLimits;
  usage?: Pick<UsageRecorder, 'subscriptionStarted' | 'subscriptionEnded'>;
  documents: DocumentCache;
  feed: EventFeed;
  metrics: SubscriptionMetrics;
  states: WeakMap<WebSocket, ConnectionState>;
  /** What every subscription is served with, built once: none of it depends on the subscription. */
  deps: SubscriptionDeps;
  close: (socket: WebSocket, code: number, reason: string) => void;
}

type OperationHooks = Required<Pick<SocketServerOptions, 'onSubscribe' | 'execute' | 'subscribe'>>;

/**
 * Each operation on a socket is checked as an HTTP request is (rate limits, access), then
 * queries and mutations run through the gateway and subscriptions are served here.
 */
export function operationHooks(options: OperationHooksOptions): OperationHooks {
  /** The socket behind each subscription's context, to close it when the client falls behind. */
  const sockets = new WeakMap<GatewayContext, WebSocket>();
  return {
    onSubscribe: (ctx, _id, payload) =>
      prepareOperation(options, sockets, ctx.extra.socket, payload),
    execute: (args) => runThroughGateway(options.apollo, args),
    subscribe: (args) => serveSubscription(options, sockets, args),
  };
}

async function prepareOperation(
  options: OperationHooksOptions,
  sockets: WeakMap<GatewayContext, WebSocket>,
  socket: WebSocket,
  payload: SubscribePayload,
): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const request = options.states.get(socket)?.request;
  const schema = options.schema();
  if (!request || !schema) {
    return [new GraphQLError('Not ready', { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } })];
  }
  const prepared = options.documents.prepare(schema, payload.query);
  if ('errors' in prepared) return [...prepared.errors];
  const { document } = prepared;
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) {
    return [
      new GraphQLError('Send one operation, or name it', {
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      }),
    ];
  }
  // A copy per operation: checks set the role on it.
  const context: GatewayContext = { request: { ...request }, usage: {} };
  sockets.set(context, socket);
  try {
    // Each operation spends what an HTTP request does: IP, user or API key, then tenant.
    await options.rateLimits?.admit(context.request);
    await checkOperation(operation, document, schema, context, payload.variables, options.checks);
  } catch (error) {
    // The tenant rate limit comes wrapped for Apollo's pipeline: answer it too, coded,
    // rather than closing the socket with 4500.
    const cause = error instanceof GraphQLError ? error.originalError : error;
    if (cause instanceof DomainError) return [toGraphQLError(cause)];
    throw error;
  }
  // Queries and mutations then run through Apollo, whose checks plugin would check again.
  context.accessChecked = true;
  return {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: declaredVariables(operation, payload.variables),
    contextValue: context,
  } satisfies ExecutionArgs;
}

function serveSubscription(
  options: OperationHooksOptions,
  sockets: WeakMap<GatewayContext, WebSocket>,
  args: ExecutionArgs,
): AsyncGenerator<ExecutionResult> | ExecutionResult {
  const context = args.contextValue as GatewayContext;
  const operation = getOperationAST(args.document, args.operationName)!;
  const selection = rootSelection(operation, args.document);
  const fieldName = selection?.field.name.value;
  const field = fieldName ? args.schema.getSubscriptionType()?.getFields()[fieldName] : undefined;
  const derived = fieldName ? DERIVED[fieldName] : undefined;
  if (!selection || !field || (fieldName !== 'events' && !derived)) {
    return {
      errors: [
        new GraphQLError(`Subscription.${fieldName ?? '?'} is not served`, {
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        }),
      ],
    };
  }
  const values = getArgumentValues(field, selection.field, args.variableValues ?? undefined);
  const socket = sockets.get(context);
  const { metrics, close } = options;
  // Counted from the moment its channel is subscribed, in the metric and the tenant's usage.
  // What every subscription shares; each gets its own counted view of the feed.
  const counted = {
    ...options.deps,
    feed: countedListener(
      options.feed,
      liveCounts(metrics, options.usage, context.usage?.tenantId).subscriptions,
    ),
  };
  const variables = args.variableValues ?? undefined;
  return guarded(
    derived
      ? derivedSubscription(derived, context.request, selection, values, variables, counted)
      : eventSubscription(context.request, selection, values, args.document, variables, {
          ...counted,
          schema: args.schema,
        }),
    () => socket && close(socket, TOO_SLOW, 'Subscriber too slow: reconnect with afterSeq'),
  );
}

/** The live-subscription gauge, and the tenant's live count when its usage is counted. */
function liveCounts(
  metrics: SubscriptionMetrics,
  usage: OperationHooksOptions['usage'],
  tenantId: string | undefined,
): { subscriptions: { inc(): void; dec(): void } } {
  if (!usage || !tenantId) return metrics;
  return {
    subscriptions: {
      inc: () => {
        metrics.subscriptions.inc();
        usage.subscriptionStarted(tenantId);
      },
      dec: () => {
        metrics.subscriptions.dec();
        usage.subscriptionEnded(tenantId);
      },
    },
  };
}

/** Ends a subscription's stream on a slow consumer by closing the socket with 4429. */
async function* guarded(
  results: AsyncGenerator<ExecutionResult>,
  onSlow: () => void,
): AsyncGenerator<ExecutionResult> {
  try {
    yield* results;
  } catch (error) {
    if (error instanceof SlowConsumerError) {
      onSlow();
      return;
    }
    if (error instanceof DomainError) {
      yield { errors: [toGraphQLError(error)] };
      return;
    }
    throw error;
  }
}

async function runThroughGateway(
  apollo: ApolloServer<GatewayContext>,
  args: ExecutionArgs,
): Promise<ExecutionResult> {
  const response = await apollo.executeOperation(
    {
      query: print(args.document),
      operationName: args.operationName ?? undefined,
      variables: (args.variableValues as Record<string, unknown>) ?? undefined,
    },
    { contextValue: args.contextValue as GatewayContext },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental delivery');
  return response.body.singleResult as ExecutionResult;
}
