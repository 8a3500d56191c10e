import type { FetchNode, PlanNode, QueryPlan, ResponsePath } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { applyRewrites } from './data-rewrites';
import { clientErrors } from './fetch-errors';
import { isJsonObject, mergeInto, ownValue, type JsonObject } from './merge';
import { entityRepresentations, type EntityRepresentations } from './representations';
import type { SubgraphResult } from './subgraph-client';

/** Sends one fetch of the plan: the subgraph's operation with these variables (JSON). */
export type SendFetch = (fetch: FetchNode, variablesJson: string) => Promise<SubgraphResult>;

export interface PlanExecutionInput {
  plan: QueryPlan;
  /** The supergraph (not the API schema): rewrites and `requires` test its types. */
  supergraphSchema: GraphQLSchema;
  /** The request's variables as the client sent them; subgraphs coerce their own. */
  variables: Readonly<JsonObject>;
  /** The same, coerced with defaults: what `Condition` nodes (@skip/@include) test. */
  coercedVariables: Readonly<JsonObject>;
  send: SendFetch;
}

/**
 * Runs a query plan from @apollo/query-planner: fetches in sequence or in parallel, each
 * entity fetch with its representations taken from what earlier fetches returned, merged into
 * one unshaped result. Identical representations within a fetch are sent once. Errors are
 * collected, never thrown: a failed fetch leaves its fields missing and the rest goes on.
 */
export async function executePlan(
  input: PlanExecutionInput,
): Promise<{ data: JsonObject; errors: unknown[] }> {
  const data: JsonObject = {};
  const execution: Execution = { ...input, data, errors: [] };
  const root = input.plan.node;
  if (root?.kind === 'Subscription') {
    throw new Error('Execution of subscriptions not supported by gateway');
  }
  if (root) await executeNode(execution, root, { path: [], data });
  return { data, errors: execution.errors };
}

interface Execution extends PlanExecutionInput {
  data: JsonObject;
  errors: unknown[];
}

interface Cursor {
  path: ResponsePath;
  data: unknown;
}

async function executeNode(execution: Execution, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(execution, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(execution, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAtPath(cursor.data, node.path);
      if (data === undefined || data === null) return;
      await executeNode(execution, node.node, { path: [...cursor.path, ...node.path], data });
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(execution, node, cursor);
      } catch (error) {
        execution.errors.push(error);
      }
      return;
    case 'Condition': {
      const branch =
        execution.coercedVariables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor);
      return;
    }
    case 'Defer':
      throw new Error('@defer support is not available in the gateway');
  }
}

async function executeFetch(execution: Execution, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const entities = (Array.isArray(cursor.data) ? cursor.data : [cursor.data]).filter(
    (entity): entity is JsonObject => entity !== null && entity !== undefined,
  );
  if (entities.length === 0) return;
  const variables = usedVariables(execution.variables, fetch.variableUsages);

  if (!fetch.requires) {
    const result = await execution.send(fetch, JSON.stringify(variables));
    const received = handleErrors(execution, fetch, cursor, result);
    if (received) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) mergeInto(entity, received);
    return;
  }

  if ('representations' in variables) {
    throw new Error('Variables cannot contain key "representations"');
  }
  const representations = entityRepresentations(execution.supergraphSchema, fetch, entities);
  if (representations.unique.length === 0) return;
  const result = await execution.send(
    fetch,
    variablesWithRepresentations(variables, representations.unique),
  );
  const received = handleErrors(execution, fetch, cursor, result, representations);
  if (!received) return;
  const answers = received._entities;
  if (!Array.isArray(answers))
    throw new Error('Expected "data._entities" in response to be an array');
  if (answers.length !== representations.unique.length) {
    throw new Error(
      `Expected "data._entities" to contain ${representations.unique.length} elements`,
    );
  }
  const rewritten = new Array<boolean>(answers.length).fill(false);
  representations.entityIndexes.forEach((entityIndex, position) => {
    const unique = representations.uniqueIndexes[position]!;
    const answer: unknown = answers[unique];
    const entity = entities[entityIndex]!;
    if (!rewritten[unique] && isJsonObject(answer)) {
      answer.__typename ??= entity.__typename;
      applyRewrites(execution.supergraphSchema, fetch.outputRewrites, answer);
      rewritten[unique] = true;
    }
    mergeInto(entity, answer);
  });
}

/** The variables a fetch uses, as the client sent them (subgraphs coerce their own). */
export function usedVariables(
  provided: Readonly<JsonObject>,
  usages: readonly string[] | undefined,
): JsonObject {
  const variables: JsonObject = {};
  for (const name of usages ?? []) {
    if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) {
      variables[name] = provided[name];
    }
  }
  return variables;
}

/** The variables' JSON with the representations spliced in, each serialized only once. */
function variablesWithRepresentations(variables: JsonObject, representations: string[]): string {
  const list = `"representations":[${representations.join(',')}]`;
  const others = JSON.stringify(variables).slice(1, -1);
  return others ? `{${others},${list}}` : `{${list}}`;
}

/** Records the subgraph's errors with paths into the client's response; returns its data. */
function handleErrors(
  execution: Execution,
  fetch: FetchNode,
  cursor: Cursor,
  result: SubgraphResult,
  representations?: EntityRepresentations,
): JsonObject | undefined {
  if (result.errors?.length) {
    const errors = clientErrors(result.errors, {
      fetch,
      fullResult: execution.data,
      path: cursor.path,
      representations,
    });
    for (const error of errors) execution.errors.push(error);
  }
  return isJsonObject(result.data) ? result.data : undefined;
}

/**
 * The values at `path` below `value`; each `@` steps into every element of a list, and the
 * lists found under it are flattened one level (as @apollo/gateway's flatMap does).
 */
function flattenAtPath(value: unknown, path: ResponsePath, from = 0): unknown {
  let current = value;
  for (let index = from; index < path.length; index++) {
    if (current === undefined || current === null) return current;
    const key = path[index];
    if (key === '@') {
      if (!Array.isArray(current)) throw new Error('expected an array at `@`');
      const flattened: unknown[] = [];
      for (const element of current as unknown[]) {
        const inner = flattenAtPath(element, path, index + 1);
        if (Array.isArray(inner)) for (const item of inner as unknown[]) flattened.push(item);
        else flattened.push(inner);
      }
      return flattened;
    }
    if (typeof key !== 'string') throw new Error(`Unexpected ${typeof key} found in path`);
    if (Array.isArray(current))
      throw new Error(`Unexpected array in result for path element ${key}`);
    if (!isJsonObject(current)) return undefined;
    current = ownValue(current, key);
  }
  return current;
}
