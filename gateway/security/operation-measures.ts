import {
  getArgumentValues,
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
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../platform/graphql/pagination';

/** What the limits look at in one operation, fragments expanded where they are spread. */
export interface OperationMeasures {
  /** Fields on the longest path (`{ a { b } }` is 2); `ofType` chains of introspection add 0. */
  depth: number;
  aliases: number;
  directives: number;
  /**
   * The estimated cost (see {@link measureOperation}); without the request's variables, a
   * `first` given by a variable counts as {@link MAX_PAGE_SIZE}.
   */
  cost: number;
}

const EMPTY: OperationMeasures = { depth: 0, aliases: 0, directives: 0, cost: 0 };

interface Measured {
  measures: OperationMeasures;
  /** Whether some `first` is a variable, so the cost depends on the request's variables. */
  costReadsVariables: boolean;
}

const cache = new WeakMap<OperationDefinitionNode, Measured>();

/**
 * Measures an operation once for every limit (the limits are separate validation rules over
 * the same numbers). The cost model:
 * - every field costs 1, plus its selection's cost times its multiplier;
 * - a field with a `first` argument multiplies by the `first` it will run with: the literal,
 *   or the variable's value as the request sent it after coercion (its default if it sent
 *   none), capped at {@link MAX_PAGE_SIZE}; a `first` that is missing or null counts as
 *   {@link MAX_PAGE_SIZE}, the largest page it may return. The list directly inside such a
 *   connection (`nodes`, `edges`) is that page, so ×1;
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
  return measured(schema, document, operation).measures;
}

/**
 * The operation's cost for one request's coerced variables. The document's own measure is
 * reused when no `first` reads a variable.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  coercedVariables: Record<string, unknown>,
): number {
  const known = measured(schema, document, operation);
  if (!known.costReadsVariables) return known.measures.cost;
  return new Measurer(schema, document, operation, coercedVariables).measure().cost;
}

function measured(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Measured {
  const known = cache.get(operation);
  if (known) return known;
  const measurer = new Measurer(schema, document, operation);
  const result = { measures: measurer.measure(), costReadsVariables: measurer.readsVariables };
  cache.set(operation, result);
  return result;
}

class Measurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly fragmentMeasures = new Map<string, OperationMeasures>();
  private readonly inProgress = new Set<string>();
  /** Set when a `first` is a variable (its value, or the worst case without variables). */
  readsVariables = false;

  /** `variables`: the request's coerced variables; undefined while they are not known. */
  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
    private readonly variables?: Record<string, unknown>,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.fragments.set(definition.name.value, definition);
      }
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
    if (first && definition) multiplier = this.pageSize(node, definition, first);
    else if (returnsList) multiplier = paged ? 1 : DEFAULT_PAGE_SIZE;
    const metaRoot = name === '__schema' || name === '__type';
    return {
      depth: own.depth + inner.depth,
      aliases: own.aliases + inner.aliases,
      directives: inner.directives,
      cost: metaRoot ? 1 : 1 + multiplier * inner.cost,
    };
  }

  /** The `first` the field runs with, as graphql coerces it, else the largest page. */
  private pageSize(
    node: FieldNode,
    definition: GraphQLField<unknown, unknown>,
    first: GraphQLArgument,
  ): number {
    const given = node.arguments?.find((arg) => arg.name.value === first.name)?.value;
    if (given?.kind === Kind.VARIABLE) {
      this.readsVariables = true;
      if (this.variables === undefined) return MAX_PAGE_SIZE;
    }
    let size: unknown;
    try {
      size = getArgumentValues(definition, node, this.variables)[first.name];
    } catch {
      // A value that does not coerce fails the request when it runs; until then, the worst.
      return MAX_PAGE_SIZE;
    }
    if (typeof size !== 'number' || !Number.isInteger(size)) return MAX_PAGE_SIZE;
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
