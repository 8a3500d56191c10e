import { mayReadEventActor, mayReadEventOrigin } from '../../../platform/events/event-visibility';
import { type ActorKind } from '../../../platform/events/append-event';
import type { EventActorKind, EventResolvers, QueryResolvers } from '../generated/resolvers-types';

const ACTOR_KINDS: Record<ActorKind, EventActorKind> = {
  user: 'USER',
  apiKey: 'API_KEY',
  system: 'SYSTEM',
};

export const eventQueries: Pick<QueryResolvers, 'events' | 'event'> = {
  events: (_parent, args, { events }) => events.list(args),
  event: (_parent, { id }, { events }) => events.byId(id),
};

export const eventResolvers: EventResolvers = {
  __resolveReference: (reference, { events }) => events.byReference(reference.id),
  // A reference the gateway resolves in the auth subgraph, batched per request.
  actor: (event, _args, { request }) =>
    event.actorKind === 'user' && event.actorId && mayReadEventActor(request)
      ? { id: event.actorId }
      : null,
  actorKind: (event) => (event.actorKind ? ACTOR_KINDS[event.actorKind] : null),
  ip: (event, _args, { request }) => (mayReadEventOrigin(request) ? event.ip : null),
  userAgent: (event, _args, { request }) => (mayReadEventOrigin(request) ? event.userAgent : null),
};
