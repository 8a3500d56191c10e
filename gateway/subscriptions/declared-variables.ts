import type { OperationDefinitionNode } from 'graphql';

/**
 * The variables the operation declares, and no others: what execution would read anyway.
 * A client's undeclared variables (a deeply nested object, say) then never reach the code that
 * keys shared renderings or builds follow-up queries from them.
 */
export function declaredVariables(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): Record<string, unknown> | undefined {
  if (!variables) return undefined;
  const declared: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(variables, name)) declared[name] = variables[name];
  }
  return declared;
}
