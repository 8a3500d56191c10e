import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface SubscribersStart {
  kind: 'start';
  gatewayUrl: string;
  subscribers: { accessToken: string; tenantId: string }[];
}
/** How far the subscriptions are behind the journal's newest seq of their tenants. */
export interface SubscribersBehindQuery {
  kind: 'behind';
  /** The newest seq per tenant id, as text. */
  newest: Record<string, string>;
}
export type SubscribersCommand =
  SubscribersStart | SubscribersBehindQuery | { kind: 'count' } | { kind: 'stop' };
export interface SubscriberCounts {
  kind: 'counts';
  /** Events received so far, all subscriptions together. */
  received: number;
  /** Whether every subscription has received an event (so it is live). */
  allLive: boolean;
  /**
   * Subscriptions the server ended (an error, such as a slow consumer dropped or a refused
   * check, or a completion): each is one subscriber fewer to fan out to, so the mixed load
   * would look lighter than it is.
   */
  ended: number;
  /** The first such error, as the server sent it. */
  firstError?: string;
}

export interface SubscribersBehind {
  kind: 'behind';
  /** Events not received yet, all subscriptions together (seq is gap-free per tenant). */
  events: number;
  /** Subscriptions that have not received their tenant's newest event yet. */
  subscriptions: number;
}

export interface Subscribers {
  counts(): Promise<SubscriberCounts>;
  behind(newest: Record<string, string>): Promise<SubscribersBehind>;
  /** Closes every socket and waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * `events` subscriptions held by a child process (subscribers-main.ts), each with a user's
 * token on a tenant, so the bench's own event loop only generates the load it measures.
 */
export function startSubscribers(
  gatewayUrl: string,
  subscribers: SubscribersStart['subscribers'],
): Subscribers {
  const child: ChildProcess = fork(join(__dirname, 'subscribers-main.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const ended = exited.then(() => {
    throw new Error('the subscribers process ended');
  });
  // Observed only by the races in counts(): ending after the last of them is no error.
  ended.catch(() => undefined);
  const send = (command: SubscribersCommand) => child.send(command);
  send({ kind: 'start', gatewayUrl, subscribers });
  const ask = async <T>(command: SubscribersCommand): Promise<T> => {
    const answer = once(child, 'message') as Promise<[T]>;
    send(command);
    const [reply] = await Promise.race([answer, ended]);
    return reply;
  };
  return {
    counts: () => ask<SubscriberCounts>({ kind: 'count' }),
    behind: (newest) => ask<SubscribersBehind>({ kind: 'behind', newest }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) send({ kind: 'stop' });
      else child.kill();
      await exited;
    },
  };
}
