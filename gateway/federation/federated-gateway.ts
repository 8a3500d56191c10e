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
import { executePlan, usedVariables } from './plan-executor';
import {
  PassThroughOperations,
  type PassThroughContext,
  type PassThroughOperation,
} from './pass-through';
import { PreparedOperations } from './prepared-operations';
import { FetchSender, type FetchSenderOptions } from './fetch-sender';
import type { PlainDataAnswer, SubgraphResult } from './subgraph-client';

export interface FederatedGatewayOptions<TContext> extends FetchSenderOptions<TContext> {
  supergraphSdl: string;
  /** Distinct documents whose query plan and result shaper are kept. */
  planCacheSize: number;
  countPlanLookup?: CountCacheLookup;
  /**
   * Who is asking, as a string: identical queries (same document and variables) of the same
   * caller that overlap in time run once and share the answer. Undefined: never shared.
   */
  deduplicationKey?: (context: TContext) => string | undefined;
  countDeduplicated?: () => void;
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
  private readonly fetches: FetchSender<TContext>;
  private readonly operations: PreparedOperations;
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private readonly inFlight = new Map<string, Promise<GatewayExecutionResult>>();
  private readonly passThroughs: PassThroughOperations;
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
    this.passThroughs = new PassThroughOperations(options.planCacheSize);
    this.fetches = new FetchSender(supergraph.subgraphsMetadata(), options);
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
    this.passThroughs.clear();
    await this.fetches.close();
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

  /**
   * The pass-through operation of this text and name, if Apollo validated and this gateway
   * ran it before (only a document that passed validation reaches the executor).
   */
  passThroughOperation(
    query: string,
    operationName: string | null | undefined,
  ): PassThroughOperation | undefined {
    return this.passThroughs.get(query, operationName);
  }

  /**
   * Sends a pass-through operation's one fetch as {@link run} would (same body, headers,
   * signature, guard and span), and returns its answer's text when that is data alone.
   */
  fetchPassThrough(
    { fetch }: PassThroughOperation,
    variables: Readonly<Record<string, unknown>>,
    context: TContext,
  ): Promise<SubgraphResult | PlainDataAnswer> {
    const variablesJson = JSON.stringify(usedVariables(variables, fetch.variableUsages));
    return this.fetches.send(
      context,
      this.fetches.requestHeaders(context),
      fetch,
      variablesJson,
      (c, b, h) => c.postForPassThrough(b, h),
    );
  }

  private async run(
    requestContext: GatewayGraphQLRequestContext<TContext>,
    coercedVariables: Record<string, unknown>,
  ): Promise<GatewayExecutionResult> {
    const { request, document, operation, queryHash, operationName, context } = requestContext;
    const prepared = this.operations.get({ document, operation, queryHash, operationName });
    if (prepared.passThrough && request.query !== undefined) {
      // Under the name the client sent (none, for a document of one operation), as it comes.
      this.passThroughs.remember(request.query, request.operationName ?? null, {
        document,
        operation,
        fetch: prepared.passThrough,
      });
    }
    const variables = request.variables ?? {};
    const prefetched = (context as PassThroughContext).prefetched;

    let headers: Record<string, string> | undefined;
    const send = (fetch: FetchNode, variablesJson: string): Promise<SubgraphResult> => {
      // The pass-through path sent this fetch already, and its answer needs the full path.
      if (prefetched?.fetch === fetch) return prefetched.result();
      headers ??= this.fetches.requestHeaders(context);
      return this.fetches.send(context, headers, fetch, variablesJson, (c, b, h) => c.post(b, h));
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
