import { connectWs, waitFor, type WsClient } from '../ws-client';
import { register } from './stragglers';

export const EVENTS_SUBSCRIPTION =
  'subscription ($after: String) { events(afterSeq: $after) { seq type } }';

/**
 * What one subscriber got, by seq: every message counts as a delivery, a seq seen before as a
 * duplicate, a seq below the highest seen (and not a duplicate) as out of order.
 */
export class EventTally {
  deliveries = 0;
  duplicates = 0;
  outOfOrder = 0;
  readonly seen = new Set<bigint>();
  private highest = 0n;

  record(seq: bigint): void {
    this.deliveries += 1;
    if (this.seen.has(seq)) {
      this.duplicates += 1;
      return;
    }
    if (seq < this.highest) this.outOfOrder += 1;
    this.seen.add(seq);
    if (seq > this.highest) this.highest = seq;
  }

  get last(): bigint {
    return this.highest;
  }

  /** The seqs of `written` this subscriber never got. */
  missing(written: readonly bigint[]): bigint[] {
    return written.filter((seq) => !this.seen.has(seq));
  }
}

export interface ResumingSubscriber {
  readonly tally: EventTally;
  /** How many times it had to connect again. */
  readonly reconnects: number;
  /** Close codes of the sockets it lost. */
  readonly closeCodes: number[];
  /** When each of its sockets was accepted (Date.now()), and the gateway it went to. */
  readonly connections: { at: number; url: string }[];
  /** Errors the server sent (or the client raised) on the subscriptions. */
  readonly errors: unknown[];
  /** Resolves once every seq of `written` has arrived. */
  waitForAll(written: readonly bigint[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A frontend's events subscription done right: whenever the socket or the subscription ends
 * it connects again (to the next gateway of `urls`, if several) and resumes with `afterSeq`
 * set to the last seq it saw, which is how a client misses nothing across any failure.
 */
export function resumingSubscriber(options: {
  urls: readonly string[];
  connectionParams: Record<string, unknown>;
  afterSeq: bigint;
  retryDelayMs?: number;
}): ResumingSubscriber {
  const tally = new EventTally();
  const closeCodes: number[] = [];
  const connections: { at: number; url: string }[] = [];
  const errors: unknown[] = [];
  let reconnects = 0;
  let running = true;
  let current: WsClient | undefined;
  let wake: () => void = () => undefined;
  let after = options.afterSeq;

  const loop = async () => {
    for (let attempt = 0; running; attempt += 1) {
      const url = options.urls[attempt % options.urls.length]!;
      const client = connectWs(url, options.connectionParams);
      current = client;
      client.client.on('connected', () => connections.push({ at: Date.now(), url }));
      await new Promise<void>((resolve) => {
        wake = resolve;
        void client.closed.then((code) => {
          closeCodes.push(code);
          resolve();
        });
        client.client.subscribe<{ events: { seq: string } }>(
          { query: EVENTS_SUBSCRIPTION, variables: { after: String(after) } },
          {
            next: (value) => {
              if (value.errors) errors.push(...value.errors);
              const seq = value.data?.events.seq;
              if (seq === undefined) return;
              tally.record(BigInt(seq));
              if (tally.last > after) after = tally.last;
            },
            error: (error) => {
              errors.push(error);
              resolve();
            },
            complete: () => resolve(),
          },
        );
      });
      await client.dispose();
      if (!running) return;
      reconnects += 1;
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 200));
    }
  };
  const done = loop();

  return register({
    tally,
    get reconnects() {
      return reconnects;
    },
    closeCodes,
    connections,
    errors,
    waitForAll: (written, timeoutMs = 30_000) =>
      waitFor(() => tally.missing(written).length === 0, timeoutMs),
    async stop() {
      running = false;
      wake();
      await current?.dispose();
      await done;
    },
  });
}
