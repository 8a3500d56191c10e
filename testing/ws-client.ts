import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { metricValue, scrape } from './graphql-client';

export interface Received<T> {
  results: T[];
  errors: unknown[];
  /** Resolves when the subscription completes or fails. */
  ended: Promise<void>;
  unsubscribe(): void;
}

export interface WsClient {
  client: Client;
  /** Resolves with the close event's code when the socket closes. */
  closed: Promise<number>;
  /** Resolves once the server has acknowledged the connection (its checks passed). */
  connected: Promise<void>;
  subscribe<T>(query: string, variables?: Record<string, unknown>): Received<T>;
  dispose(): Promise<void>;
}

/**
 * A real graphql-ws client (the `ws` WebSocket), as a frontend would open one; `headers` go on
 * the upgrade request (e.g. the X-Forwarded-For a proxy would add).
 */
export function connectWs(
  url: string,
  connectionParams: Record<string, unknown>,
  headers?: Record<string, string>,
): WsClient {
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    // A close is reported through `closed`, not printed.
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => onClosed((event as { code: number }).code),
      connected: () => onConnected(),
    },
  });
  return {
    client,
    closed,
    connected,
    subscribe<T>(query: string, variables: Record<string, unknown> = {}) {
      const results: T[] = [];
      const errors: unknown[] = [];
      let end: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => (end = resolve));
      const unsubscribe = client.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) errors.push(...value.errors);
            if (value.data) results.push(value.data);
          },
          error: (error) => {
            errors.push(error);
            end();
          },
          complete: () => end(),
        },
      );
      return { results, errors, ended, unsubscribe };
    },
    dispose: () => Promise.resolve(client.dispose()),
  };
}

/** Polls until `check` passes or the time is up (never a wall-clock assertion: a bound). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits until the gateway at `baseUrl` (no path) has at least `count` subscriptions listening
 * for events (tessera_subscriptions_active): after it, an event published reaches them.
 */
export async function waitForListening(baseUrl: string, count: number): Promise<void> {
  await waitFor(
    async () => metricValue(await scrape(baseUrl), 'tessera_subscriptions_active') >= count,
    30_000,
  );
}

/** Subscriptions listening on the gateway at `baseUrl` now. */
export async function listeningNow(baseUrl: string): Promise<number> {
  return metricValue(await scrape(baseUrl), 'tessera_subscriptions_active');
}
