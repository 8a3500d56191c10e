import type { ApolloServer } from '@apollo/server';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { RequestContext } from '../../platform/context/request-context';
import type { PublishedEvent } from '../../platform/events/channel';
import type { GatewayContext } from '../gateway-context';
import type { FeedListener } from './event-feed';
import { SlowConsumerError } from './resumable-stream';
import { queryFor, type RootSelection } from './selection';

/**
 * A subscription to objects that events announce, e.g. `webhookDeliveryUpdated` (a delivery,
 * on every `jobs.webhook.delivery.*` event) or `alerts` (an alert, on every
 * `observability.alert.*` event): each matching event of the tenant is rendered by a query of
 * the object (`webhookDelivery(id:)`, `alert(id:)`) with the subscriber's selection and
 * authorization. Live only: these objects have their own queries to catch up with.
 */
export interface DerivedSubscriptionSpec {
  /** Event types that announce a change of the object. */
  types: ReadonlySet<string>;
  /** The root query field that reads one object by id. */
  queryField: string;
  /** The object's id in a matching event, or null to skip the event (e.g. another endpoint). */
  idOf(event: PublishedEvent, args: Record<string, unknown>): string | null;
  /** Follows the platform's events (no tenant) instead of the request's tenant's. */
  platform?: boolean;
}

export interface DerivedSubscriptionDeps {
  feed: FeedListener;
  apollo: ApolloServer<GatewayContext>;
  reauthorize(request: RequestContext): Promise<void>;
  maxBuffered: number;
  onDelivered(): void;
  onDropped(reason: 'slow_consumer' | 'forbidden'): void;
}

export async function* derivedSubscription(
  spec: DerivedSubscriptionSpec,
  request: RequestContext,
  selection: RootSelection,
  args: Record<string, unknown>,
  variableValues: Record<string, unknown> | undefined,
  deps: DerivedSubscriptionDeps,
): AsyncGenerator<ExecutionResult> {
  const context: GatewayContext = { request, delivery: true };
  const query = queryFor(selection, {
    open: `${spec.queryField}(id: $__id) {`,
    close: '}',
    variables: '$__id: ID!',
  });
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const scope = spec.platform ? null : request.tenantId!;
  const stop = await deps.feed.listen(scope, (event) => {
    if (!spec.types.has(event.type)) return;
    const id = spec.idOf(event, args);
    if (id === null) return;
    if (queue.length >= deps.maxBuffered) overflow = true;
    else queue.push(id);
    wake?.();
  });
  try {
    for (;;) {
      if (overflow) {
        deps.onDropped('slow_consumer');
        throw new SlowConsumerError(deps.maxBuffered);
      }
      const id = queue.shift();
      if (id === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      try {
        await deps.reauthorize(request);
      } catch (error) {
        // guarded() (subscription-server.ts) answers a coded refusal and ends the stream.
        deps.onDropped('forbidden');
        throw error;
      }
      const response = await deps.apollo.executeOperation(
        { query, variables: { ...variableValues, __id: id } },
        { contextValue: context },
      );
      if (response.body.kind !== 'single') throw new Error('unexpected incremental delivery');
      const result = response.body.singleResult;
      const value = result.data?.[spec.queryField];
      if (value === null && !result.errors) continue; // gone meanwhile
      yield {
        data: result.data ? { [selection.responseKey]: value } : null,
        ...(result.errors
          ? { errors: result.errors.map((e) => new GraphQLError(e.message, e)) }
          : {}),
      };
      deps.onDelivered();
    }
  } finally {
    stop();
  }
}
