import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

// The baseline of the fan-out benchmark: the plainest graphql-ws server there is, relaying
// one Redis channel to every subscriber with graphql-redis-subscriptions. No auth, no
// tenancy, no resume: what Tessera's gateway adds is measured against this.
const channel = process.env.BENCH_CHANNEL ?? 'bench:events';
const pubsub = new RedisPubSub({
  publisher: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  subscriber: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
});
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Event { seq: String! type: String! occurredAt: String! payload: String }
  type Subscription { events(types: [String!]): Event! }
`);
// graphql-redis-subscriptions yields each published object; it is the value of `events`.
const events = schema.getSubscriptionType()!.getFields().events!;
// Counted once the channel is subscribed, like the gateway's tessera_subscriptions_active, so
// the bench waits on the same acknowledgement from both servers; no wrapper around the
// iterator, so the count costs a subscription nothing. `types` is accepted and ignored: the
// bench sends both servers the same distinct variables.
let subscribed = 0;
events.subscribe = async () => {
  // Typed `any` upstream; it is the library's PubSubAsyncIterator, which subscribes lazily.
  const iterator = pubsub.asyncIterableIterator<unknown>(channel) as AsyncIterableIterator<unknown>;
  await (iterator as unknown as { subscribeAll(): Promise<unknown> }).subscribeAll();
  subscribed += 1;
  return iterator;
};
events.resolve = (event: unknown) => event;

// Any GET: subscriptions started so far (never decremented; the bench counts from a reading).
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ subscribed }));
});
useServer({ schema }, new WebSocketServer({ server, path: '/graphql' }));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
