import {
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PerOperation } from '../operation-memo';
import { requirementOf, type FieldRequirement } from '../../platform/graphql/field-policy';

export interface RequiredField {
  /** `Type.field`, as error messages name it. */
  coordinate: string;
  requirement: FieldRequirement;
}

/**
 * The policy directives of every field in the supergraph (`@requiresRole`, `@requiresScope`,
 * `@platformAdmin`), and which of them an operation selects at any depth, through fragments
 * and abstract types alike: the gateway refuses the whole operation before planning it.
 */
export class FieldRequirements {
  private readonly found = new PerOperation<readonly RequiredField[]>();

  private constructor(private readonly byCoordinate: ReadonlyMap<string, FieldRequirement>) {}

  static fromSupergraph(supergraphSdl: string): FieldRequirements {
    const byCoordinate = new Map<string, FieldRequirement>();
    for (const definition of parse(supergraphSdl).definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
        definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
      ) {
        continue;
      }
      for (const field of definition.fields ?? []) {
        const requirement = requirementOf(field.directives);
        if (requirement)
          byCoordinate.set(`${definition.name.value}.${field.name.value}`, requirement);
      }
    }
    return new FieldRequirements(byCoordinate);
  }

  /** Every guarded field the operation selects, once each. */
  of(
    operation: OperationDefinitionNode,
    document: DocumentNode,
    schema: GraphQLSchema,
  ): readonly RequiredField[] {
    return this.found.get(operation, schema, () => this.find(operation, document, schema));
  }

  private find(
    operation: OperationDefinitionNode,
    document: DocumentNode,
    schema: GraphQLSchema,
  ): RequiredField[] {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments.set(definition.name.value, definition);
    }
    const found = new Map<string, FieldRequirement>();
    const typeInfo = new TypeInfo(schema);
    const visitor = visitWithTypeInfo(typeInfo, {
      Field: () => {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        const coordinate = `${parent.name}.${field.name}`;
        const requirement = this.byCoordinate.get(coordinate);
        if (requirement) found.set(coordinate, requirement);
      },
    });
    visit(operation, visitor);
    for (const name of reachableFragments(operation.selectionSet, fragments)) {
      visit(fragments.get(name)!, visitor);
    }
    return [...found].map(([coordinate, requirement]) => ({ coordinate, requirement }));
  }
}

function reachableFragments(
  root: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Set<string> {
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          seen.add(name);
          walk(fragment.selectionSet);
        }
      } else if (selection.selectionSet) {
        walk(selection.selectionSet);
      }
    }
  };
  walk(root);
  return seen;
}
