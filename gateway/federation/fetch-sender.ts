import type { FetchNode } from '@apollo/query-planner';
import type { TargetGuard } from '../../platform/resilience/target-guard';
import {
  countsAgainstSubgraph,
  SubgraphClient,
  type PlainDataAnswer,
  type SubgraphPoolOptions,
  type SubgraphResult,
} from './subgraph-client';

/** What the gateway adds to each subgraph fetch: headers, a signature, a span, timing. */
export interface FetchHooks<TContext> {
  /** Headers for every subgraph fetch of one client request, computed once per request. */
  requestHeaders?: (context: TContext) => Record<string, string>;
  /**
   * Headers of one fetch, from its target and body and the request's headers (a signature
   * bound to this body and subgraph); they override the request's.
   */
  fetchHeaders?: (
    fetch: { subgraph: string; path: string; body: string },
    requestHeaders: Record<string, string>,
  ) => Record<string, string>;
  /**
   * Wraps each subgraph fetch (spans, timing): calls `send` with headers for this fetch only
   * (e.g. the fetch span's traceparent).
   */
  aroundFetch?: <T extends SubgraphResult | PlainDataAnswer>(
    subgraph: string,
    context: TContext,
    send: (headers: Record<string, string>) => Promise<T>,
  ) => Promise<T>;
}

export interface FetchSenderOptions<TContext> extends FetchHooks<TContext> {
  /** Subgraph URLs by name, instead of the ones the supergraph names. */
  urlOverrides?: Partial<Record<string, string>>;
  pool: SubgraphPoolOptions;
  /**
   * Makes each subgraph's circuit breaker and bulkhead (once, at start): a fetch it refuses
   * fails at once with `SERVICE_UNAVAILABLE` (that fetch's fields are null, the rest of the
   * plan goes on).
   */
  guard?: (subgraph: string) => TargetGuard;
}

type Post<T> = (
  client: SubgraphClient,
  body: string,
  headers: Record<string, string>,
) => Promise<T>;

/**
 * Sends a plan's fetches to the subgraphs: each fetch's body (its operation serialized once
 * per plan), the request's headers and the fetch's own (a signature bound to this body and
 * subgraph), inside the owner's span and timing, behind the subgraph's guard.
 */
export class FetchSender<TContext> {
  private readonly clients: Map<string, SubgraphClient>;
  private readonly guards = new Map<string, TargetGuard>();
  private readonly fetchPrefixes = new WeakMap<FetchNode, string>();

  constructor(
    subgraphs: readonly { name: string; url?: string }[],
    private readonly hooks: FetchSenderOptions<TContext>,
  ) {
    this.clients = new Map(
      subgraphs.map(({ name, url }) => {
        const target = hooks.urlOverrides?.[name] ?? url;
        if (!target) throw new Error(`the supergraph gives no URL for subgraph ${name}`);
        if (hooks.guard) this.guards.set(name, hooks.guard(name));
        return [name, new SubgraphClient(name, target, hooks.pool)];
      }),
    );
  }

  /** The headers every fetch of one client request carries (its encoded context). */
  requestHeaders(context: TContext): Record<string, string> {
    return this.hooks.requestHeaders?.(context) ?? {};
  }

  /** One fetch: its body, its own headers (the signature), its span, its subgraph's guard. */
  send<T extends SubgraphResult | PlainDataAnswer>(
    context: TContext,
    headers: Record<string, string>,
    fetch: FetchNode,
    variablesJson: string,
    post: Post<T>,
  ): Promise<T> {
    const client = this.clients.get(fetch.serviceName);
    if (!client) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const body = `${this.fetchPrefix(fetch)}${variablesJson}}`;
    const base = this.hooks.fetchHeaders
      ? {
          ...headers,
          ...this.hooks.fetchHeaders(
            { subgraph: fetch.serviceName, path: client.path, body },
            headers,
          ),
        }
      : headers;
    const run = () =>
      this.hooks.aroundFetch
        ? this.hooks.aroundFetch(fetch.serviceName, context, (extra) =>
            post(client, body, { ...base, ...extra }),
          )
        : post(client, body, base);
    const guard = this.guards.get(fetch.serviceName);
    return guard ? guard.run(run, countsAgainstSubgraph) : run();
  }

  /** `{"query":…,"operationName":…,"variables":` for a fetch, serialized once per plan. */
  private fetchPrefix(fetch: FetchNode): string {
    let prefix = this.fetchPrefixes.get(fetch);
    if (prefix === undefined) {
      const name =
        fetch.operationName === undefined
          ? ''
          : `,"operationName":${JSON.stringify(fetch.operationName)}`;
      prefix = `{"query":${JSON.stringify(fetch.operation)}${name},"variables":`;
      this.fetchPrefixes.set(fetch, prefix);
    }
    return prefix;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }
}
