import {
  GraphQLError,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
  type ValueNode,
} from 'graphql';

/*
 * Compiling an operation for result-shaper.ts: selections resolved against the schema once
 * (fragments, conditions, field types, leaf validators), so shaping a response never looks
 * at the schema again.
 */

export type Condition = { skip?: boolean | string; include?: boolean | string };

export type Selection = FieldSelection | FragmentSelection;

export interface FieldSelection {
  kind: 'field';
  responseName: string;
  /** Reading it as a plain property could find Object.prototype's (e.g. `constructor`). */
  inheritedName: boolean;
  condition?: Condition;
  special?: 'typename' | 'introspection';
  node: FieldNode;
  type: ShapeType;
  selections?: Selection[];
}

interface FragmentSelection {
  kind: 'fragment';
  condition?: Condition;
  typeCondition?: string;
  /** Type names the condition applies to (the type, its members or implementations). */
  appliesTo?: ReadonlySet<string>;
  selections: Selection[];
}

export type ShapeType =
  | { kind: 'nonNull'; of: ShapeType; display: string }
  | { kind: 'list'; of: ShapeType; display: string }
  | { kind: 'composite'; name: string; display: string }
  | { kind: 'leaf'; isValid: (value: unknown) => boolean; display: string };

export interface TypeIndex {
  /** Every type a `__typename` may name. */
  composite: ReadonlySet<string>;
  object: ReadonlySet<string>;
}

const NO_TYPE: ShapeType = { kind: 'leaf', isValid: () => true, display: '' };

export class SelectionCompiler {
  readonly types: TypeIndex;
  private readonly fragmentSelections = new Map<string, Selection[]>();
  private readonly appliesTo = new Map<string, ReadonlySet<string>>();
  private readonly leafValidators = new Map<string, (value: unknown) => boolean>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {
    const all = Object.values(schema.getTypeMap());
    this.types = {
      composite: new Set(all.filter(isCompositeType).map((type) => type.name)),
      object: new Set(all.filter(isObjectType).map((type) => type.name)),
    };
  }

  selections(nodes: readonly SelectionNode[], parent: GraphQLNamedType): Selection[] {
    return nodes.map((node) => this.selection(node, parent));
  }

  private selection(node: SelectionNode, parent: GraphQLNamedType): Selection {
    const condition = conditionOf(node);
    if (node.kind === Kind.FIELD) return this.field(node, parent, condition);
    if (node.kind === Kind.INLINE_FRAGMENT) {
      const typeCondition = node.typeCondition?.name.value;
      const inner = typeCondition ? this.namedType(typeCondition) : parent;
      return {
        kind: 'fragment',
        condition,
        typeCondition,
        appliesTo: typeCondition ? this.typesUnder(typeCondition) : undefined,
        selections: this.selections(node.selectionSet.selections, inner),
      };
    }
    const fragment = this.fragments.get(node.name.value);
    if (!fragment) throw new GraphQLError(`unknown fragment "${node.name.value}"`);
    const typeCondition = fragment.typeCondition.name.value;
    return {
      kind: 'fragment',
      condition,
      typeCondition,
      appliesTo: this.typesUnder(typeCondition),
      selections: this.fragmentBody(fragment),
    };
  }

  /** A named fragment's body depends only on the fragment: compiled once however often spread. */
  private fragmentBody(fragment: FragmentDefinitionNode): Selection[] {
    const name = fragment.name.value;
    let compiled = this.fragmentSelections.get(name);
    if (!compiled) {
      compiled = [];
      this.fragmentSelections.set(name, compiled);
      const type = this.namedType(fragment.typeCondition.name.value);
      compiled.push(...this.selections(fragment.selectionSet.selections, type));
    }
    return compiled;
  }

  private field(
    node: FieldNode,
    parent: GraphQLNamedType,
    condition: Condition | undefined,
  ): FieldSelection {
    const name = node.name.value;
    const responseName = node.alias?.value ?? name;
    const base = { kind: 'field' as const, responseName, condition, node };
    const inheritedName = responseName in Object.prototype;
    if (name === '__typename') {
      return { ...base, inheritedName, special: 'typename', type: NO_TYPE };
    }
    if (name === '__schema' || name === '__type') {
      return { ...base, inheritedName, special: 'introspection', type: NO_TYPE };
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) {
      throw new GraphQLError(`cannot select "${name}" on ${parent.name}`);
    }
    const definition = parent.getFields()[name];
    if (!definition) throw new GraphQLError(`${parent.name} has no field "${name}"`);
    const named = namedTypeOf(definition.type);
    return {
      ...base,
      inheritedName,
      type: this.shapeType(definition.type),
      selections: node.selectionSet
        ? this.selections(node.selectionSet.selections, named)
        : undefined,
    };
  }

  private shapeType(type: GraphQLOutputType): ShapeType {
    const display = type.toString();
    if (isNonNullType(type)) return { kind: 'nonNull', of: this.shapeType(type.ofType), display };
    if (isListType(type)) return { kind: 'list', of: this.shapeType(type.ofType), display };
    if (isCompositeType(type)) return { kind: 'composite', name: type.name, display };
    if (isLeafType(type)) return { kind: 'leaf', isValid: this.leafValidator(type), display };
    throw new GraphQLError(`unexpected output type ${display}`);
  }

  /** @apollo/federation-internals' isValidLeafValue, decided once per type. */
  private leafValidator(type: GraphQLNamedType): (value: unknown) => boolean {
    let validator = this.leafValidators.get(type.name);
    if (validator) return validator;
    if (isEnumType(type)) {
      const values = new Set(type.getValues().map((value) => value.name));
      validator = (value) => typeof value === 'string' && values.has(value);
    } else {
      validator = builtInScalarValidators[type.name] ?? (() => true);
    }
    this.leafValidators.set(type.name, validator);
    return validator;
  }

  /** isSubtype(condition, T) for every T: the type itself, its union members, implementations. */
  private typesUnder(condition: string): ReadonlySet<string> {
    let names = this.appliesTo.get(condition);
    if (names) return names;
    const type = this.namedType(condition);
    const set = new Set<string>([condition]);
    if (isUnionType(type)) for (const member of type.getTypes()) set.add(member.name);
    if (isInterfaceType(type)) {
      const { objects, interfaces } = this.schema.getImplementations(type);
      for (const implementation of [...objects, ...interfaces]) set.add(implementation.name);
    }
    names = set;
    this.appliesTo.set(condition, names);
    return names;
  }

  private namedType(name: string): GraphQLNamedType {
    const type = this.schema.getType(name);
    if (!type) throw new GraphQLError(`unknown type "${name}"`);
    return type;
  }
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
/** What prints as digits only (federation tests `String(value)` against /^-?(0|[1-9]\d*)$/). */
const isIntegerNumber = (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21;
const builtInScalarValidators: Partial<Record<string, (value: unknown) => boolean>> = {
  Boolean: (value) => typeof value === 'boolean',
  Int: isIntegerNumber,
  ID: (value) => typeof value === 'string' || isIntegerNumber(value),
  Float: (value) => isFiniteNumber(value),
  String: (value) => typeof value === 'string',
};

function namedTypeOf(type: GraphQLOutputType): GraphQLNamedType {
  let current: GraphQLOutputType = type;
  while (isNonNullType(current) || isListType(current)) current = current.ofType;
  return current;
}

function conditionOf(node: SelectionNode): Condition | undefined {
  let condition: Condition | undefined;
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((arg) => arg.name.value === 'if');
    if (!argument) continue;
    condition ??= {};
    condition[name] = conditionValue(argument.value);
  }
  return condition;
}

function conditionValue(value: ValueNode): boolean | string {
  if (value.kind === Kind.VARIABLE) return value.name.value;
  if (value.kind === Kind.BOOLEAN) return value.value;
  throw new GraphQLError('@skip and @include take a Boolean');
}
