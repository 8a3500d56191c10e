import {
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PerOperation } from '../operation-memo';

const ROOT_TYPES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;
const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * Which root fields may run without a tenant, read from the `@tenantless` marks that
 * composition carries into the supergraph. Everything not marked is tenant-scoped, so a new
 * field is safe by default.
 */
export class TenantPolicy {
  private readonly scoped = new PerOperation<readonly string[]>();

  private constructor(private readonly tenantless: ReadonlySet<string>) {}

  static fromSupergraph(supergraphSdl: string): TenantPolicy {
    const tenantless = new Set<string>();
    for (const definition of parse(supergraphSdl).definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION
      ) {
        continue;
      }
      for (const field of definition.fields ?? []) {
        if (field.directives?.some((directive) => directive.name.value === 'tenantless')) {
          tenantless.add(`${definition.name.value}.${field.name.value}`);
        }
      }
    }
    return new TenantPolicy(tenantless);
  }

  isTenantless(typeName: string, fieldName: string): boolean {
    return INTROSPECTION_FIELDS.has(fieldName) || this.tenantless.has(`${typeName}.${fieldName}`);
  }

  /** The root fields of the operation that need a tenant (fragments on the root included). */
  tenantScopedFields(
    operation: OperationDefinitionNode,
    document: DocumentNode,
  ): readonly string[] {
    return this.scoped.get(operation, undefined, () => this.findTenantScoped(operation, document));
  }

  private findTenantScoped(operation: OperationDefinitionNode, document: DocumentNode): string[] {
    const rootType = ROOT_TYPES[operation.operation];
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments.set(definition.name.value, definition);
    }
    const scoped = new Set<string>();
    const visit = (selectionSet: SelectionSetNode, seen: Set<string>) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!this.isTenantless(rootType, selection.name.value)) scoped.add(selection.name.value);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          visit(selection.selectionSet, seen);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment && !seen.has(name)) visit(fragment.selectionSet, new Set([...seen, name]));
        }
      }
    };
    visit(operation.selectionSet, new Set());
    return [...scoped];
  }
}
