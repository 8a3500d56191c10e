import {
  getVariableValues,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { QueryLimitError } from './limits';
import { operationCost } from './operation-measures';

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
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return;
  const cost = operationCost(schema, document, operation, coerced.coerced);
  if (cost <= maxCost) return;
  const actual = Math.min(Math.round(cost), Number.MAX_SAFE_INTEGER);
  throw new QueryLimitError(
    `Estimated query cost is ${actual}, over the limit of ${maxCost}`,
    'cost',
    maxCost,
    actual,
  );
}
