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
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';
import { ownValue } from './merge';

/**
 * Turns the merged subgraph answers of one operation into the client's response: only the
 * fields the client asked for, under their aliases, `__typename` filled in, `@skip` and
 * `@include` applied, nulls propagated to the nearest nullable parent. Same semantics as
 * @apollo/gateway's `computeResponse`, but the operation is compiled once into plain
 * structures, so shaping a response is a walk over data and arrays, not over the schema.
 */
export class ResultShaper {
  private constructor(
    private readonly root: Selection[],
    private readonly rootTypeName: string,
    private readonly types: TypeIndex,
  ) {}

  static compile(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ): ResultShaper {
    const rootType = schema.getRootType(operation.operation);
    if (!rootType) throw new GraphQLError(`the schema has no ${operation.operation} type`);
    const compiler = new SelectionCompiler(schema, fragments);
    return new ResultShaper(
      compiler.selections(operation.selectionSet.selections, rootType),
      rootType.name,
      compiler.types,
    );
  }

  /**
   * Shapes `input` (the merged subgraph data). `introspect` answers `__schema` and `__type`.
   * Errors are the values that did not fit the schema (Apollo reports them as
   * `extensions.valueCompletion`); a broken invariant throws.
   */
  shape(
    input: Record<string, unknown>,
    variables: Readonly<Record<string, unknown>>,
    introspect: (field: FieldNode) => unknown,
  ): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
    const run: Run = {
      variables,
      introspect,
      types: this.types,
      errors: [],
      path: [],
      invalid: false,
      hasErrors: false,
    };
    const data: Record<string, unknown> = {};
    const result = applySelections(this.root, input, data, this.rootTypeName, run);
    return { data: result === BUBBLE ? null : data, errors: run.errors };
  }
}

type Condition = { skip?: boolean | string; include?: boolean | string };

type Selection = FieldSelection | FragmentSelection;

interface FieldSelection {
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

type ShapeType =
  | { kind: 'nonNull'; of: ShapeType; display: string }
  | { kind: 'list'; of: ShapeType; display: string }
  | { kind: 'composite'; name: string; display: string }
  | { kind: 'leaf'; isValid: (value: unknown) => boolean; display: string };

interface TypeIndex {
  /** Every type a `__typename` may name. */
  composite: ReadonlySet<string>;
  object: ReadonlySet<string>;
}

const NO_TYPE: ShapeType = { kind: 'leaf', isValid: () => true, display: '' };

class SelectionCompiler {
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

// ---------------------------------------------------------------------------------------
// Shaping. The flags on `run` carry updateValue's second and third results (is the value
// invalid for a non-null position; were errors recorded below it) without an allocation
// per field: a caller reads them right after the call.

const OK = 0;
const BUBBLE = 1;

interface Run {
  variables: Readonly<Record<string, unknown>>;
  introspect: (field: FieldNode) => unknown;
  types: TypeIndex;
  errors: GraphQLError[];
  path: (string | number)[];
  invalid: boolean;
  hasErrors: boolean;
}

function skipped(condition: Condition, variables: Readonly<Record<string, unknown>>): boolean {
  const skip = typeof condition.skip === 'string' ? variables[condition.skip] : condition.skip;
  const include =
    typeof condition.include === 'string' ? variables[condition.include] : condition.include;
  return skip === true || include === false;
}

function put(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true });
  } else {
    object[key] = value;
  }
}

function applySelections(
  selections: readonly Selection[],
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  parentTypeName: string,
  run: Run,
): typeof OK | typeof BUBBLE {
  for (const selection of selections) {
    if (selection.condition && skipped(selection.condition, run.variables)) continue;
    if (selection.kind === 'fragment') {
      const typename = input.__typename;
      if (typename !== undefined && typeof typename !== 'string') {
        throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      }
      const applies = !selection.appliesTo || selection.appliesTo.has(typename || parentTypeName);
      if (!applies) continue;
      const inner = selection.typeCondition ?? parentTypeName;
      if (applySelections(selection.selections, input, output, inner, run) === BUBBLE) {
        return BUBBLE;
      }
      continue;
    }

    const name = selection.responseName;
    const existing = selection.inheritedName ? ownValue(output, name) : output[name];
    if (selection.special === 'introspection') {
      if (existing === undefined) put(output, name, run.introspect(selection.node));
      continue;
    }
    let value = (selection.inheritedName ? ownValue(input, name) : input[name]) ?? null;
    if (selection.special === 'typename') {
      if (existing !== undefined) continue;
      if (value === null && name !== '__typename') value = input.__typename ?? null;
      const named =
        typeof value === 'string' && run.types.composite.has(value) ? value : parentTypeName;
      if (!run.types.object.has(named)) return BUBBLE;
      put(output, name, named);
      continue;
    }
    run.path.push(name);
    const updated = updateValue(existing, selection.type, value, selection, parentTypeName, run);
    run.path.pop();
    put(output, name, updated);
    if (run.invalid) return BUBBLE;
  }
  return OK;
}

function updateValue(
  existing: unknown,
  type: ShapeType,
  input: unknown,
  field: FieldSelection,
  parentTypeName: string,
  run: Run,
): unknown {
  run.invalid = false;
  run.hasErrors = false;
  if (existing === null || (existing !== undefined && !field.selections)) return existing;

  if (type.kind === 'nonNull') {
    const updated = updateValue(existing, type.of, input, field, parentTypeName, run);
    if (updated !== null) {
      run.invalid = false;
      run.hasErrors = false;
      return updated;
    }
    if (!run.hasErrors) {
      valueError(
        run,
        `Cannot return null for non-nullable ${describe(run, type.of, parentTypeName)}.`,
      );
    }
    run.invalid = true;
    run.hasErrors = true;
    return null;
  }
  if (input === null) return null;

  if (type.kind === 'list') {
    if (!Array.isArray(input)) {
      throw new Error(
        `Invalid non-list value ${String(input)} returned by subgraph for list type ${type.display}`,
      );
    }
    if (existing !== undefined && !Array.isArray(existing)) {
      throw new Error(`Invalid non-list value returned by subgraph for list type ${type.display}`);
    }
    const previous = existing as unknown[] | undefined;
    if (previous && previous.length !== input.length) {
      throw new Error(`[${input.length}] !== [${previous.length}] for list type ${type.display}`);
    }
    const updated = new Array<unknown>(input.length);
    let nullify = false;
    let hasErrors = false;
    for (let index = 0; index < input.length; index++) {
      run.path.push(index);
      updated[index] = updateValue(
        previous?.[index],
        type.of,
        input[index],
        field,
        parentTypeName,
        run,
      );
      run.path.pop();
      nullify ||= run.invalid;
      hasErrors ||= run.hasErrors;
    }
    run.invalid = false;
    run.hasErrors = hasErrors;
    return nullify ? null : updated;
  }

  if (type.kind === 'composite') {
    if (!field.selections) throw new Error(`Invalid empty selection set for ${type.display}`);
    if (typeof input !== 'object') {
      throw new Error(
        `Invalid non-object value returned by subgraph for composite type ${type.display}`,
      );
    }
    const object = input as Record<string, unknown>;
    const typename = object.__typename;
    if (typename !== undefined && typeof typename !== 'string') {
      throw new Error(`Invalid non-string value for __typename at ${run.path.join('.')}`);
    }
    let objectTypeName = type.name;
    if (typename) {
      if (!run.types.composite.has(typename)) {
        valueError(
          run,
          `Invalid __typename found for object at ${describe(run, type, parentTypeName)}.`,
        );
        run.invalid = false;
        run.hasErrors = true;
        return null;
      }
      objectTypeName = typename;
    }
    const output = (existing as Record<string, unknown> | undefined) ?? {};
    const result = applySelections(field.selections, object, output, objectTypeName, run);
    run.invalid = false;
    run.hasErrors = result === BUBBLE;
    return result === BUBBLE ? null : output;
  }

  if (existing !== undefined) throw new Error(`Expected no value yet for ${type.display}`);
  if (type.isValid(input)) return input;
  valueError(run, `Invalid value found for ${describe(run, type, parentTypeName)}.`);
  run.hasErrors = true;
  return null;
}

function describe(run: Run, type: ShapeType, parentTypeName: string): string {
  const element = run.path[run.path.length - 1];
  return typeof element === 'string'
    ? `field ${parentTypeName}.${element}`
    : `array element of type ${type.display} at index ${String(element)}`;
}

function valueError(run: Run, message: string): void {
  run.errors.push(
    new GraphQLError(message, { path: [...run.path], extensions: { code: 'INVALID_GRAPHQL' } }),
  );
}
