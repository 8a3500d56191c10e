import { Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode } from '@apollo/query-planner';
import type {
  GatewayExecutionResult,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError, OperationTypeNode, type GraphQLSchema } from 'graphql';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import { executePlan } from './plan-executor';
import { PreparedOperations } from './prepared-operations';
import type { TargetGuard } from '../../platform/resilience/target-guard';
import {
  countsAgainstSubgraph,
  SubgraphClient,
  type SubgraphPoolOptions,
  type SubgraphResult,
} from './subgraph-client';

export interface FederatedGatewayOptions<TContext> {
  supergraphSdl: string;
  /** Subgraph URLs by name, instead of the ones the supergraph names. */
  urlOverrides?: Partial<Record<string, string>>;
  pool: SubgraphPoolOptions;
  /**
   * Makes each subgraph's circuit breaker and bulkhead (once, at start): a fetch it refuses
   * fails at once with `SERVICE_UNAVAILABLE` (that fetch's fields are null, the rest of the
   * plan goes on).
   */
  guard?: (subgraph: string) => TargetGuard;
  /** Distinct documents whose query plan and result shaper are kept. */
  planCacheSize: number;
  countPlanLookup?: CountCacheLookup;
  /**
   * Who is asking, as a string: identical queries (same document and variables) of the same
   * caller that overlap in time run once and share the answer. Undefined: never shared.
   */
  deduplicationKey?: (context: TContext) => string | undefined;
  countDeduplicated?: () => void;
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
  aroundFetch?: (
    subgraph: string,
    context: TContext,
    send: (headers: Record<string, string>) => Promise<SubgraphResult>,
  ) => Promise<SubgraphResult>;
}

/**
 * Apollo Server's gateway for a static supergraph: query plans from @apollo/query-planner
 * (the planner of @apollo/gateway), executed by our own plan executor over pooled undici
 * connections, with plans and compiled result shapers cached per document. Results equal
 * @apollo/gateway's: __tests__/differential.test.ts compares the two on every kind of plan,
 * and the bench (`npm run bench:gateway`) on its deep query in every run.
 */
export class FederatedGateway<
  TContext extends Record<string, unknown>,
> implements GatewayInterface {
  readonly apiSchema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly clients: Map<string, SubgraphClient>;
  private readonly guards = new Map<string, TargetGuard>();
  private readonly operations: PreparedOperations;
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private readonly fetchPrefixes = new WeakMap<FetchNode, string>();
  private readonly inFlight = new Map<string, Promise<GatewayExecutionResult>>();
  private loaded = false;

  constructor(private readonly options: FederatedGatewayOptions<TContext>) {
    const supergraph = Supergraph.build(options.supergraphSdl);
    const apiSchema = supergraph.apiSchema();
    this.apiSchema = apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.operations = new PreparedOperations(
      new QueryPlanner(supergraph),
      apiSchema,
      this.apiSchema,
      options.planCacheSize,
      options.countPlanLookup,
    );
    this.clients = new Map(
      supergraph.subgraphsMetadata().map(({ name, url }) => {
        const target = options.urlOverrides?.[name] ?? url;
        if (!target) throw new Error(`the supergraph gives no URL for subgraph ${name}`);
        if (options.guard) this.guards.set(name, options.guard(name));
        return [name, new SubgraphClient(name, target, options.pool)];
      }),
    );
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    this.listeners.add(callback);
    if (this.loaded) this.notify(callback);
    return () => this.listeners.delete(callback);
  }

  /** Apollo's gateway interface wants a promise; everything is ready when it asks. */
  load(): Promise<{
    executor: (request: GatewayGraphQLRequestContext) => Promise<GatewayExecutionResult>;
  }> {
    this.loaded = true;
    for (const listener of this.listeners) this.notify(listener);
    return Promise.resolve({
      executor: (request) => this.execute(request as GatewayGraphQLRequestContext<TContext>),
    });
  }

  async stop(): Promise<void> {
    this.operations.clear();
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  private notify(callback: GatewaySchemaLoadOrUpdateCallback): void {
    callback({ apiSchema: this.apiSchema, coreSupergraphSdl: this.options.supergraphSdl });
  }

  private execute(
    requestContext: GatewayGraphQLRequestContext<TContext>,
  ): Promise<GatewayExecutionResult> {
    const { operation, request } = requestContext;
    // Without a policy check in front (generic mode), a name matching no operation gets here.
    if (!operation) return Promise.resolve({ errors: [unknownOperation(requestContext)] });
    // Variables are checked before anything else looks into them (e.g. a list nested
    // 100 000 deep is refused here, not overflowing the stack of whatever serializes it).
    const coerced = getVariableValues(
      this.apiSchema,
      operation.variableDefinitions ?? [],
      request.variables ?? {},
    );
    if (coerced.errors) return Promise.resolve({ errors: coerced.errors });
    const key = this.inFlightKey(requestContext);
    if (key === undefined) return this.run(requestContext, coerced.coerced);
    const joined = this.inFlight.get(key);
    if (joined) {
      this.options.countDeduplicated?.();
      return joined;
    }
    const running = this.run(requestContext, coerced.coerced).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, running);
    return running;
  }

  private inFlightKey({
    operation,
    queryHash,
    operationName,
    request,
    context,
  }: GatewayGraphQLRequestContext<TContext>): string | undefined {
    if (operation.operation !== OperationTypeNode.QUERY || !this.options.deduplicationKey) {
      return undefined;
    }
    const caller = this.options.deduplicationKey(context);
    if (caller === undefined) return undefined;
    let variables: string;
    try {
      variables = JSON.stringify(request.variables ?? {});
    } catch {
      return undefined; // too deep to serialize (a custom scalar's value): run it alone
    }
    return `${queryHash}\0${operationName ?? ''}\0${variables}\0${caller}`;
  }

  private async run(
    requestContext: GatewayGraphQLRequestContext<TContext>,
    coercedVariables: Record<string, unknown>,
  ): Promise<GatewayExecutionResult> {
    const { request, document, operation, queryHash, operationName, context } = requestContext;
    const prepared = this.operations.get({ document, operation, queryHash, operationName });
    const variables = request.variables ?? {};

    let headers: Record<string, string> | undefined;
    const send = (fetch: FetchNode, variablesJson: string): Promise<SubgraphResult> => {
      const client = this.clients.get(fetch.serviceName);
      if (!client) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
      headers ??= this.options.requestHeaders?.(context) ?? {};
      const body = `${this.fetchPrefix(fetch)}${variablesJson}}`;
      const base = this.options.fetchHeaders
        ? {
            ...headers,
            ...this.options.fetchHeaders(
              { subgraph: fetch.serviceName, path: client.path, body },
              headers,
            ),
          }
        : headers;
      const post = () =>
        this.options.aroundFetch
          ? this.options.aroundFetch(fetch.serviceName, context, (extra) =>
              client.post(body, { ...base, ...extra }),
            )
          : client.post(body, base);
      const guard = this.guards.get(fetch.serviceName);
      return guard ? guard.run(post, countsAgainstSubgraph) : post();
    };

    try {
      const executed = await executePlan({
        plan: prepared.plan,
        supergraphSchema: this.supergraphSchema,
        variables,
        coercedVariables,
        send,
      });
      const errors = executed.errors.map(toGraphQLError);
      const shaped = prepared.shaper.shape(executed.data, coercedVariables, (field) =>
        prepared.introspect(field, variables),
      );
      // As @apollo/gateway: values that did not fit the schema are reported only when nothing
      // else failed, and then as an extension, not as errors.
      if (errors.length === 0 && shaped.errors.length > 0) {
        return { data: shaped.data, extensions: { valueCompletion: shaped.errors } };
      }
      return errors.length === 0 ? { data: shaped.data } : { errors, data: shaped.data };
    } catch (error) {
      return { errors: [toGraphQLError(error)] };
    }
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
}

function unknownOperation({ request }: GatewayGraphQLRequestContext<unknown>): GraphQLError {
  const name = request.operationName?.slice(0, 100);
  return new GraphQLError(
    name
      ? `Unknown operation named "${name}"`
      : 'Send one operation, or name the one to run in operationName',
    { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
  );
}

function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  return new GraphQLError('Unexpected error during query plan execution');
}
