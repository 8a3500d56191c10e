import type { FetchNode, QueryPlan } from '@apollo/query-planner';
import type { SubgraphResult } from './subgraph-client';
import {
  getNamedType,
  isLeafType,
  isObjectType,
  isScalarType,
  Kind,
  OperationTypeNode,
  parse,
  print,
  type DocumentNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Whether a query's answer is its plan's one subgraph answer, byte for byte: then the gateway
 * may hand that answer on without parsing, shaping or serialising it again. Decided once per
 * document, from the plan and the API schema; the fetch to send when it holds, else undefined.
 *
 * It holds when
 * - the operation is a query planned as a single fetch, with no entity step and no rewrite;
 * - the fetch selects exactly what the client selected, in the same order: the same fields
 *   under the same aliases with the same arguments, and nothing the planner added (a
 *   `__typename`, a key), no fragment and no directive (`@skip`, `@include`, `@defer`);
 * - every selected field is of an object or scalar type in the API schema. Interfaces and
 *   unions could resolve to a type the API hides, and enums to a value it hides; the
 *   shaper answers those, so they take the full path. Scalars come out of the subgraph
 *   already serialised by the same scalar.
 *
 * Nulls need no check: where the API schema says non-null, so does every subgraph that
 * resolves the field (composition keeps the most permissive nullability), so a null there
 * comes with an error, and an answer with errors takes the full path (see
 * {@link isPlainDataAnswer}).
 */
export function passThroughFetch(
  plan: QueryPlan,
  operation: OperationDefinitionNode,
  schema: GraphQLSchema,
): FetchNode | undefined {
  const fetch = plan.node;
  if (operation.operation !== OperationTypeNode.QUERY || fetch?.kind !== 'Fetch') return undefined;
  if (fetch.requires || fetch.inputRewrites?.length || fetch.outputRewrites?.length) {
    return undefined;
  }
  if (fetch.contextRewrites?.length) return undefined;
  const sent = parse(fetch.operation, { noLocation: true }).definitions;
  const [fetched] = sent;
  if (sent.length !== 1 || fetched?.kind !== Kind.OPERATION_DEFINITION) return undefined;
  const root = schema.getQueryType();
  if (!root || !sameSelections(operation.selectionSet, fetched.selectionSet, root)) {
    return undefined;
  }
  return fetch;
}

function sameSelections(
  client: SelectionSetNode,
  fetched: SelectionSetNode,
  parent: GraphQLObjectType,
): boolean {
  if (client.selections.length !== fetched.selections.length) return false;
  return client.selections.every((selection, index) => {
    const other = fetched.selections[index]!;
    if (selection.kind !== Kind.FIELD || other.kind !== Kind.FIELD) return false;
    if (selection.directives?.length || other.directives?.length) return false;
    if (selection.name.value !== other.name.value) return false;
    if (selection.alias?.value !== other.alias?.value) return false;
    if (!sameArguments(selection.arguments ?? [], other.arguments ?? [])) return false;
    const field = parent.getFields()[selection.name.value];
    if (!field) return false; // `__typename` and introspection: the shaper's to answer
    const type = getNamedType(field.type);
    if (isLeafType(type)) {
      return isScalarType(type) && !selection.selectionSet && !other.selectionSet;
    }
    return (
      isObjectType(type) &&
      selection.selectionSet !== undefined &&
      other.selectionSet !== undefined &&
      sameSelections(selection.selectionSet, other.selectionSet, type)
    );
  });
}

function sameArguments(
  client: readonly { name: { value: string }; value: Parameters<typeof print>[0] }[],
  fetched: readonly { name: { value: string }; value: Parameters<typeof print>[0] }[],
): boolean {
  return (
    client.length === fetched.length &&
    client.every(
      (argument, index) =>
        argument.name.value === fetched[index]!.name.value &&
        print(argument.value) === print(fetched[index]!.value),
    )
  );
}

/**
 * Whether a subgraph's answer (its HTTP body, as text) is data alone, as the gateway would
 * write it: `{"data":{…}}` with no `errors` and no `extensions` member. A JSON string escapes
 * its quotes, so the bytes `"errors"` can only be a member name; should a field or alias be
 * called so, the answer merely takes the full path.
 */
export function isPlainDataAnswer(text: string): boolean {
  return (
    text.startsWith('{"data":{') && !text.includes('"errors"') && !text.includes('"extensions"')
  );
}

/** What the pass-through path hands Apollo when an answer needs the full path after all. */
export interface PassThroughContext {
  /** The plan's one fetch, already sent: its answer, or the reason it failed. */
  prefetched?: { fetch: FetchNode; result: () => Promise<SubgraphResult> };
}

/** A query whose answer is its one fetch's answer, as the pass-through path runs it. */
export interface PassThroughOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fetch: FetchNode;
}

/** What the texts of remembered operations may take together (their documents follow them). */
const TEXT_BUDGET = 4 * 2 ** 20;

/**
 * Pass-through operations by their text and operation name, remembered once the executor ran
 * them: only a document Apollo parsed and validated reaches it. Bounded (LRU) by count and by
 * the length of their texts, which are the keys: a client may send large documents.
 */
export class PassThroughOperations {
  private readonly byText: LRUCache<string, PassThroughOperation>;

  constructor(maxEntries: number, textBudget = TEXT_BUDGET) {
    this.byText = new LRUCache({
      max: maxEntries,
      maxSize: textBudget,
      sizeCalculation: (_, key) => Math.max(1, key.length),
    });
  }

  remember(query: string, operationName: string | null, operation: PassThroughOperation): void {
    const key = keyOf(query, operationName);
    if (!this.byText.has(key)) this.byText.set(key, operation);
  }

  get(query: string, operationName: string | null | undefined): PassThroughOperation | undefined {
    return this.byText.get(keyOf(query, operationName));
  }

  clear(): void {
    this.byText.clear();
  }
}

function keyOf(query: string, operationName: string | null | undefined): string {
  return `${operationName ?? ''}\0${query}`;
}
