import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';

/**
 * What the gateway works out from an operation's text alone, kept per operation node: Apollo
 * Server hands every request of the same query text the same parsed document (its document
 * store), so a page read by thousands of users is walked once, not once per request. Weak
 * keys: a document evicted from Apollo's store takes its entries with it. An entry is
 * recomputed when the schema it was worked out against was replaced.
 */
export class PerOperation<T> {
  private readonly kept = new WeakMap<
    OperationDefinitionNode,
    { schema: GraphQLSchema | undefined; value: T }
  >();

  get(operation: OperationDefinitionNode, schema: GraphQLSchema | undefined, compute: () => T): T {
    const entry = this.kept.get(operation);
    if (entry && entry.schema === schema) return entry.value;
    const value = compute();
    this.kept.set(operation, { schema, value });
    return value;
  }
}
