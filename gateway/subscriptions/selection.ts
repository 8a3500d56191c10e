import {
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/** A subscription's one root field and what the client selected under it. */
export interface RootSelection {
  field: FieldNode;
  /** The key the client reads the value under: the alias, or the field's name. */
  responseKey: string;
  /** Fragment definitions the selection uses, with the ones they use. */
  fragments: FragmentDefinitionNode[];
  /** Definitions of the variables the selection uses. */
  variables: VariableDefinitionNode[];
}

export function rootSelection(
  operation: OperationDefinitionNode,
  document: DocumentNode,
): RootSelection | null {
  const [only, ...others] = operation.selectionSet.selections;
  if (!only || others.length > 0 || only.kind !== Kind.FIELD) return null;
  const all = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) all.set(definition.name.value, definition);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  const variables = new Set<string>();
  const walk = (node: SelectionSetNode | FieldNode | FragmentDefinitionNode) => {
    visit(node, {
      Variable: (variable) => void variables.add(variable.name.value),
      FragmentSpread: (spread) => {
        const fragment = all.get(spread.name.value);
        if (fragment && !fragments.has(fragment.name.value)) {
          fragments.set(fragment.name.value, fragment);
          walk(fragment);
        }
      },
    });
  };
  // The root field's own arguments stay behind: only what is selected under it travels.
  if (only.selectionSet) walk(only.selectionSet);
  return {
    field: only,
    responseKey: only.alias?.value ?? only.name.value,
    fragments: [...fragments.values()],
    variables: (operation.variableDefinitions ?? []).filter((definition) =>
      variables.has(definition.variable.name.value),
    ),
  };
}

/**
 * The variables that shape how one value of the root field renders: those its selection uses,
 * and those of the root field's own directives (`@include(if: $show)`). Not its arguments,
 * which choose the values rather than render them.
 */
export function renderingVariableNames(selection: RootSelection): Set<string> {
  const names = new Set(selection.variables.map((definition) => definition.variable.name.value));
  for (const directive of selection.field.directives ?? []) {
    visit(directive, { Variable: (variable) => void names.add(variable.name.value) });
  }
  return names;
}

/** Whether the selection asks only for these fields (at any depth, through fragments). */
export function selectsOnly(selection: RootSelection, allowed: ReadonlySet<string>): boolean {
  let only = true;
  const check = (node: SelectionSetNode | FragmentDefinitionNode) =>
    visit(node, {
      Field: (field) => {
        if (!allowed.has(field.name.value)) only = false;
      },
    });
  if (selection.field.selectionSet) check(selection.field.selectionSet);
  for (const fragment of selection.fragments) check(fragment);
  return only;
}

/**
 * A query that selects the same fields somewhere else, e.g. the subscription's
 * `events { seq actor { email } }` as `query($__id: ID!) { event(id: $__id) { seq actor {
 * email } } }`: how the gateway renders an event with the subscriber's own authorization.
 * `at.open`/`at.close` wrap the selection (`event(id: $__id) {` … `}`); `extraFields` go in
 * front of it (aliases the caller strips again).
 */
export function queryFor(
  selection: RootSelection,
  at: { open: string; close: string; variables: string },
  extraFields = '',
): string {
  const variableDefinitions = [at.variables, ...selection.variables.map((node) => print(node))]
    .filter(Boolean)
    .join(', ');
  const inner = selection.field.selectionSet
    ? print(selection.field.selectionSet).slice(1, -1)
    : '';
  return [
    `query SubscriptionDelivery(${variableDefinitions}) { ${at.open} ${extraFields} ${inner} ${at.close} }`,
    ...selection.fragments.map((fragment) => print(fragment)),
  ].join('\n');
}
