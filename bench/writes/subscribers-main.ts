import { connectWs, type WsClient } from '../../testing/ws-client';
import type { SubscriberCounts, SubscribersCommand, SubscribersStart } from './subscribers';

const EVENTS_SUBSCRIPTION = 'subscription { events { seq type } }';

// The live subscriptions of the writes bench's mixed load, in a process of their own (forked
// by subscribers.ts): a thousand graphql-ws clients receiving thousands of messages a second
// would otherwise share one event loop with the load generator, and every write's latency
// would then include the subscribers' work, as it would never on the users' own machines.

const sockets: WsClient[] = [];
const perSubscription: number[] = [];
let received = 0;
let ended = 0;
let firstError: string | undefined;
let stopping = false;

function start(command: SubscribersStart): void {
  command.subscribers.forEach((subscriber, index) => {
    const socket = connectWs(command.gatewayUrl, {
      authorization: `Bearer ${subscriber.accessToken}`,
      tenantId: subscriber.tenantId,
    });
    sockets.push(socket);
    perSubscription.push(0);
    socket.client.subscribe(
      { query: EVENTS_SUBSCRIPTION },
      {
        next: () => {
          received += 1;
          perSubscription[index]! += 1;
        },
        error: (error: unknown) => {
          if (stopping) return;
          ended += 1;
          firstError ??= describe(error);
        },
        complete: () => {
          if (!stopping) ended += 1;
        },
      },
    );
  });
}

function counts(): SubscriberCounts {
  return {
    kind: 'counts',
    received,
    allLive: perSubscription.every((count) => count > 0),
    ended,
    firstError,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return JSON.stringify(error) ?? String(error);
}

async function stop(): Promise<void> {
  stopping = true;
  await Promise.all(sockets.map((socket) => socket.dispose()));
  process.disconnect?.();
}

process.on('message', (command: SubscribersCommand) => {
  if (command.kind === 'start') start(command);
  else if (command.kind === 'count') process.send?.(counts());
  else void stop();
});
// The bench went away (crashed or was stopped): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
