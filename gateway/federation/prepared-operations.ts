import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { FetchNode, QueryPlan, QueryPlanner } from '@apollo/query-planner';
import {
  executeSync,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import { passThroughFetch } from './pass-through';
import { ResultShaper } from './result-shaper';

/** What executing one operation needs, prepared once per distinct document. */
export interface PreparedOperation {
  plan: QueryPlan;
  shaper: ResultShaper;
  operation: OperationDefinitionNode;
  /** Answers `__schema` and `__type` selections from the API schema. */
  introspect: (field: FieldNode, variables: Record<string, unknown>) => unknown;
  /** The plan's one fetch, when its answer is the operation's answer as it is. */
  passThrough?: FetchNode;
}

export interface OperationSource {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Identifies the document (Apollo Server's hash of its text). */
  queryHash: string;
  operationName: string | null;
}

/**
 * Query plans and compiled result shapers by document, in a bounded LRU: planning and
 * compiling cost far more than executing, and clients send the same few documents again and
 * again.
 */
export class PreparedOperations {
  private readonly cache: LRUCache<string, PreparedOperation>;

  constructor(
    private readonly planner: QueryPlanner,
    private readonly apiSchema: Schema,
    private readonly graphqlSchema: GraphQLSchema,
    maxEntries: number,
    private readonly countLookup?: CountCacheLookup,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  get(source: OperationSource): PreparedOperation {
    const key = `${source.queryHash}\0${source.operationName ?? ''}`;
    const cached = this.cache.get(key);
    this.countLookup?.(cached ? 'hit' : 'miss');
    if (cached) return cached;
    const prepared = this.prepare(source);
    this.cache.set(key, prepared);
    return prepared;
  }

  clear(): void {
    this.cache.clear();
  }

  private prepare({ document, operation, operationName }: OperationSource): PreparedOperation {
    const plan = this.planner.buildQueryPlan(
      operationFromDocument(this.apiSchema, document, {
        operationName: operationName ?? undefined,
      }),
    );
    const fragments = document.definitions.filter(
      (definition): definition is FragmentDefinitionNode =>
        definition.kind === Kind.FRAGMENT_DEFINITION,
    );
    const shaper = ResultShaper.compile(
      this.graphqlSchema,
      operation,
      new Map(fragments.map((fragment) => [fragment.name.value, fragment])),
    );
    const introspect = (field: FieldNode, variables: Record<string, unknown>): unknown => {
      const { data, errors } = executeSync({
        schema: this.graphqlSchema,
        document: {
          kind: Kind.DOCUMENT,
          definitions: [
            {
              kind: Kind.OPERATION_DEFINITION,
              operation: OperationTypeNode.QUERY,
              variableDefinitions: operation.variableDefinitions,
              selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
            },
            ...fragments,
          ],
        },
        rootValue: {},
        variableValues: variables,
      });
      if (errors?.length || !data) {
        throw new Error(`introspection failed: ${errors?.map((e) => e.message).join('; ')}`);
      }
      return data[field.alias?.value ?? field.name.value];
    };
    const passThrough = passThroughFetch(plan, operation, this.graphqlSchema);
    return { plan, shaper, operation, introspect, passThrough };
  }
}
