import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The page size a list field is assumed to return when `first` does not say. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page a `first` argument can ask for (the subgraphs cap it there too). */
export const MAX_PAGE_SIZE = 100;

/** What the limits look at in one operation, fragments expanded where they are spread. */
export interface OperationMeasures {
  /** Fields on the longest path (`{ a { b } }` is 2); `ofType` chains of introspection add 0. */
  depth: number;
  aliases: number;
  directives: number;
  /** The estimated cost; see {@link measureOperation}. */
  cost: number;
}

const EMPTY: OperationMeasures = { depth: 0, aliases: 0, directives: 0, cost: 0 };

const cache = new WeakMap<OperationDefinitionNode, OperationMeasures>();

/**
 * Measures an operation once for every limit (the limits are separate validation rules over
 * the same numbers). The cost model:
 * - every field costs 1, plus its selection's cost times its multiplier;
 * - a field with a `first` argument multiplies by `first` (a literal, else the variable's
 *   default, else {@link MAX_PAGE_SIZE} as variables are unknown at validation; absent:
 *   the argument's default or {@link DEFAULT_PAGE_SIZE}), capped at {@link MAX_PAGE_SIZE};
 *   the list directly inside such a connection (`nodes`, `edges`) is that page, so ×1;
 * - any other list field multiplies by {@link DEFAULT_PAGE_SIZE};
 * - `__schema` and `__type` cost 1 whatever they select: the gateway answers them from
 *   memory, and depth, tokens and GATEWAY_INTROSPECTION bound them.
 * Fragments are measured once per operation, so fragment reuse cannot make measuring slow.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): OperationMeasures {
  const cached = cache.get(operation);
  if (cached) return cached;
  const measures = new Measurer(schema, document, operation).measure();
  cache.set(operation, measures);
  return measures;
}

class Measurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly fragmentMeasures = new Map<string, OperationMeasures>();
  private readonly inProgress = new Set<string>();
  private readonly variableDefaults = new Map<string, ValueNode | undefined>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.fragments.set(definition.name.value, definition);
      }
    }
    for (const variable of operation.variableDefinitions ?? []) {
      this.variableDefaults.set(variable.variable.name.value, variable.defaultValue);
    }
  }

  measure(): OperationMeasures {
    const root = this.schema.getRootType(this.operation.operation) ?? undefined;
    const inner = this.selections(this.operation.selectionSet, root, false);
    return {
      ...inner,
      directives:
        inner.directives +
        (this.operation.directives?.length ?? 0) +
        (this.operation.variableDefinitions ?? []).reduce(
          (sum, variable) => sum + (variable.directives?.length ?? 0),
          0,
        ),
    };
  }

  /** `paged`: this selection set belongs to a connection field that took `first`. */
  private selections(
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType | undefined,
    paged: boolean,
  ): OperationMeasures {
    let total = { ...EMPTY };
    for (const selection of selectionSet.selections) {
      const directives = selection.directives?.length ?? 0;
      let part: OperationMeasures;
      if (selection.kind === Kind.FIELD) {
        part = this.field(selection, parentType, paged);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? this.schema.getType(selection.typeCondition.name.value)
          : parentType;
        part = this.selections(selection.selectionSet, type ?? undefined, paged);
      } else {
        part = this.fragment(selection.name.value, paged);
      }
      total = combine(total, { ...part, directives: part.directives + directives });
    }
    return total;
  }

  private fragment(name: string, paged: boolean): OperationMeasures {
    const key = `${name}|${paged}`;
    const known = this.fragmentMeasures.get(key);
    if (known) return known;
    const fragment = this.fragments.get(name);
    // Unknown fragments and cycles are reported by graphql's own rules; they add nothing here.
    if (!fragment || this.inProgress.has(name)) return EMPTY;
    this.inProgress.add(name);
    const type = this.schema.getType(fragment.typeCondition.name.value) ?? undefined;
    const inner = this.selections(fragment.selectionSet, type, paged);
    this.inProgress.delete(name);
    const measures = {
      ...inner,
      directives: inner.directives + (fragment.directives?.length ?? 0),
    };
    this.fragmentMeasures.set(key, measures);
    return measures;
  }

  private field(
    node: FieldNode,
    parentType: GraphQLNamedType | undefined,
    paged: boolean,
  ): OperationMeasures {
    const name = node.name.value;
    const definition = fieldDefinition(this.schema, parentType, name);
    const introspection = parentType !== undefined && isIntrospectionType(parentType);
    const own = {
      depth: introspection && name === 'ofType' ? 0 : 1,
      aliases: node.alias ? 1 : 0,
      directives: 0,
      cost: 1,
    };
    if (!node.selectionSet) return own;

    const childType = definition ? getNamedType(definition.type) : undefined;
    const first = definition?.args.find((arg) => arg.name === 'first');
    const returnsList = definition ? isListType(getNullableType(definition.type)) : false;
    const connection = first !== undefined && !returnsList;
    const inner = this.selections(
      node.selectionSet,
      childType && isCompositeType(childType) ? childType : undefined,
      connection,
    );

    let multiplier = 1;
    if (first) multiplier = this.pageSize(node, first.defaultValue);
    else if (returnsList) multiplier = paged ? 1 : DEFAULT_PAGE_SIZE;
    const metaRoot = name === '__schema' || name === '__type';
    return {
      depth: own.depth + inner.depth,
      aliases: own.aliases + inner.aliases,
      directives: inner.directives,
      cost: metaRoot ? 1 : 1 + multiplier * inner.cost,
    };
  }

  private pageSize(node: FieldNode, declaredDefault: unknown): number {
    const argument = node.arguments?.find((arg) => arg.name.value === 'first');
    let value: ValueNode | undefined = argument?.value;
    if (value?.kind === Kind.VARIABLE) {
      value = this.variableDefaults.get(value.name.value);
      if (value === undefined) return MAX_PAGE_SIZE;
    }
    let size: number;
    if (value?.kind === Kind.INT) size = Number.parseInt(value.value, 10);
    else if (value === undefined && typeof declaredDefault === 'number') size = declaredDefault;
    else size = DEFAULT_PAGE_SIZE;
    return Math.max(1, Math.min(MAX_PAGE_SIZE, size));
  }
}

function fieldDefinition(
  schema: GraphQLSchema,
  parentType: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parentType === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  if (parentType && (isObjectType(parentType) || isInterfaceType(parentType))) {
    return parentType.getFields()[name];
  }
  return undefined;
}

function combine(a: OperationMeasures, b: OperationMeasures): OperationMeasures {
  return {
    depth: Math.max(a.depth, b.depth),
    aliases: a.aliases + b.aliases,
    directives: a.directives + b.directives,
    cost: a.cost + b.cost,
  };
}
