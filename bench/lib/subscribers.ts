import { connectWs, type WsClient } from '../../testing/ws-client';

/** How many sockets open at once: enough to be quick, few enough not to time handshakes out. */
const BATCH = 250;

/**
 * Opens `count` graphql-ws subscribers on `url` (numbered from `firstIndex`), each its own socket
 * with its own connection params and variables, a batch at a time: each batch waits for its
 * connection acks (a socket closed instead fails the run with its close code). Each delivery's
 * publish-to-receipt latency (ms), from the `sentAt` its payload carries, goes into `latencies`.
 * Resolves with the sockets' disposal.
 */
export async function openSubscribers(options: {
  url: string;
  count: number;
  firstIndex: number;
  query: string;
  paramsFor(index: number): Record<string, unknown>;
  variablesFor(index: number): Record<string, unknown>;
  latencies: number[];
}): Promise<() => Promise<void>> {
  const clients: WsClient[] = [];
  const dispose = () =>
    Promise.all(clients.map((client) => client.dispose())).then(() => undefined);
  const onResult = (result: { data?: unknown }) => {
    const sentAt = sentAtOf(result.data);
    if (Number.isFinite(sentAt)) options.latencies.push(Date.now() - sentAt);
  };
  try {
    for (let start = 0; start < options.count; start += BATCH) {
      const batch: WsClient[] = [];
      const end = Math.min(options.count, start + BATCH);
      for (let i = start; i < end; i += 1) {
        batch.push(connectWs(options.url, options.paramsFor(options.firstIndex + i)));
      }
      clients.push(...batch);
      await Promise.all(batch.map(acknowledged));
      batch.forEach((client, offset) =>
        client.client.subscribe(
          {
            query: options.query,
            variables: options.variablesFor(options.firstIndex + start + offset),
          },
          { next: onResult, error: () => undefined, complete: () => undefined },
        ),
      );
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return dispose;
}

function acknowledged(client: WsClient): Promise<void> {
  return Promise.race([
    client.connected,
    client.closed.then((code) => {
      throw new Error(`a bench subscriber was closed with ${code} before its ack`);
    }),
  ]);
}

/** The `sentAt` the bench put in the event's payload (a JSON object, or its text). */
function sentAtOf(data: unknown): number {
  const payload = (data as { events?: { payload?: unknown } } | undefined)?.events?.payload;
  const parsed = typeof payload === 'string' ? (JSON.parse(payload) as unknown) : payload;
  return Number((parsed as { sentAt?: unknown } | null | undefined)?.sentAt);
}
