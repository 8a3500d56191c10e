import { inspect } from 'node:util';
import {
  GraphQLError,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { ownValue } from './merge';
import {
  SelectionCompiler,
  type Condition,
  type FieldSelection,
  type Selection,
  type ShapeType,
  type TypeIndex,
} from './selection-compiler';

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
        throw new Error(`Got unexpected value for __typename: ${inspect(typename)}`);
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

  if (type.kind === 'list') return updateList(existing, type, input, field, parentTypeName, run);
  if (type.kind === 'composite') {
    return updateComposite(existing, type, input, field, parentTypeName, run);
  }
  if (existing !== undefined) throw new Error(`Expected no value yet for ${type.display}`);
  if (type.isValid(input)) return input;
  valueError(run, `Invalid value found for ${describe(run, type, parentTypeName)}.`);
  run.hasErrors = true;
  return null;
}

function updateList(
  existing: unknown,
  type: Extract<ShapeType, { kind: 'list' }>,
  input: unknown,
  field: FieldSelection,
  parentTypeName: string,
  run: Run,
): unknown {
  if (!Array.isArray(input)) {
    throw new Error(
      `Invalid non-list value ${inspect(input)} returned by subgraph for list type ${type.display}`,
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

function updateComposite(
  existing: unknown,
  type: Extract<ShapeType, { kind: 'composite' }>,
  input: unknown,
  field: FieldSelection,
  parentTypeName: string,
  run: Run,
): unknown {
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
