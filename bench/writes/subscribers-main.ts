import { connectWs, type WsClient } from '../../testing/ws-client';
import type {
  SubscriberCounts,
  SubscribersBehind,
  SubscribersCommand,
  SubscribersStart,
} from './subscribers';

const EVENTS_SUBSCRIPTION = 'subscription { events { seq type } }';

// The live subscriptions of the writes bench's mixed load, in a process of their own (forked
// by subscribers.ts): a thousand graphql-ws clients receiving thousands of messages a second
// would otherwise share one event loop with the load generator, and every write's latency
// would then include the subscribers' work, as it would never on the users' own machines.

const sockets: WsClient[] = [];
const perSubscription: number[] = [];
/** Each subscription's tenant, and the highest seq it has received (0n: none yet). */
const tenantOf: string[] = [];
const lastSeq: bigint[] = [];
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
    tenantOf.push(subscriber.tenantId);
    lastSeq.push(0n);
    socket.client.subscribe(
      { query: EVENTS_SUBSCRIPTION },
      {
        next: (result) => {
          received += 1;
          perSubscription[index]! += 1;
          const seq = (result.data as { events?: { seq?: string } } | null)?.events?.seq;
          if (seq !== undefined && BigInt(seq) > lastSeq[index]!) lastSeq[index] = BigInt(seq);
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

function behind(newest: Record<string, string>): SubscribersBehind {
  let events = 0;
  let subscriptions = 0;
  lastSeq.forEach((seq, index) => {
    const gap = BigInt(newest[tenantOf[index]!] ?? '0') - seq;
    if (gap <= 0n) return;
    events += Number(gap);
    subscriptions += 1;
  });
  return { kind: 'behind', events, subscriptions };
}

/** graphql-ws reports an Error, the GraphQL errors the server sent, or the socket's close. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) {
    return error.map((item: { message?: string }) => item.message ?? 'an error').join('; ');
  }
  if (error && typeof error === 'object' && 'code' in error) {
    const { code, reason } = error as { code: number; reason?: string };
    return `socket closed with ${code} ${reason ?? ''}`.trim();
  }
  return 'an unknown error';
}

async function stop(): Promise<void> {
  stopping = true;
  await Promise.all(sockets.map((socket) => socket.dispose()));
  process.disconnect?.();
}

process.on('message', (command: SubscribersCommand) => {
  if (command.kind === 'start') start(command);
  else if (command.kind === 'count') process.send?.(counts());
  else if (command.kind === 'behind') process.send?.(behind(command.newest));
  else void stop();
});
// The bench went away (crashed or was stopped): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
