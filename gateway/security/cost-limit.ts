import {
  getVariableValues,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { PerOperation } from '../operation-memo';
import { QueryLimitError } from './limits';
import { operationCost } from './operation-measures';

/** Costs of operations that declare no variables: their text alone decides them. */
const fixedCosts = new PerOperation<number>();

/**
 * Refuses an operation whose estimated cost, for the variables this request sends, is over
 * `maxCost` (400 BAD_USER_INPUT, `limit: cost`). The variables are coerced as execution will
 * coerce them, so `first: $n` costs the `n` sent, not the declared default; variables that do
 * not coerce are left to execution, which refuses them before anything runs.
 */
export function assertCostLimit(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  maxCost: number,
): void {
  let cost: number;
  if (!operation.variableDefinitions?.length) {
    cost = fixedCosts.get(operation, schema, () => operationCost(schema, document, operation, {}));
  } else {
    const definitions = operation.variableDefinitions;
    const coerced = getVariableValues(schema, definitions, variables ?? {});
    if (coerced.errors) return;
    cost = operationCost(schema, document, operation, coerced.coerced);
  }
  if (cost <= maxCost) return;
  const actual = Math.min(Math.round(cost), Number.MAX_SAFE_INTEGER);
  throw new QueryLimitError(
    `Estimated query cost is ${actual}, over the limit of ${maxCost}`,
    'cost',
    maxCost,
    actual,
  );
}
