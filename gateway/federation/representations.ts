import type { FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { applyRewrites, isObjectOfType } from './data-rewrites';
import { isJsonObject, mergeInto, ownValue, type JsonObject } from './merge';

export interface EntityRepresentations {
  /** Distinct representations, serialized: what the subgraph is sent. */
  unique: string[];
  /** For each representation made, the entity it came from… */
  entityIndexes: number[];
  /** …and its position in `unique`. */
  uniqueIndexes: number[];
}

/**
 * The `representations` of an entity fetch: for each entity, the fields its `requires`
 * selects (keys and @requires fields), skipped when one is missing. A deep query reaches the
 * same entity from many places (every review of a product names the same product), so equal
 * representations are sent once and the one answer is merged into every entity that asked.
 *
 * The answer's objects then sit at several places of the result. That is safe: all the
 * entities of a fetch are at one path of the query, so each place selects the same fields, and
 * every later fetch below them merges the same data into them (merging it twice into an
 * object met twice changes nothing).
 */
export function entityRepresentations(
  schema: GraphQLSchema,
  fetch: FetchNode,
  entities: readonly JsonObject[],
): EntityRepresentations {
  const result: EntityRepresentations = {
    unique: [],
    entityIndexes: [],
    uniqueIndexes: [],
  };
  const positions = new Map<string, number>();
  const { serialize, key } = compiledRequires(schema, fetch);
  // For `... on T { __typename id }`, equal key values mean equal representations: a map on
  // the value finds a repeat without serializing it again.
  const byKey = new Map<string | number, number>();
  entities.forEach((entity, entityIndex) => {
    const value =
      key && entity.__typename === key.typename ? ownValue(entity, key.field) : undefined;
    const keyed = typeof value === 'string' || typeof value === 'number';
    let position = keyed ? byKey.get(value) : undefined;
    if (position === undefined) {
      const json = serialize(entity);
      if (json === null) return;
      position = positions.get(json);
      if (position === undefined) {
        position = result.unique.length;
        positions.set(json, position);
        result.unique.push(json);
      }
      if (keyed) byKey.set(value, position);
    }
    result.entityIndexes.push(entityIndex);
    result.uniqueIndexes.push(position);
  });
  return result;
}

interface CompiledRequires {
  /** An entity's representation as JSON, or null when it has none. */
  serialize: (entity: JsonObject) => string | null;
  /** Set when `requires` is `... on T { __typename field }`: T and the field. */
  key?: { typename: string; field: string };
}

const compiled = new WeakMap<FetchNode, CompiledRequires>();

/** What a fetch's `requires` needs, worked out once per fetch node of a cached plan. */
function compiledRequires(schema: GraphQLSchema, fetch: FetchNode): CompiledRequires {
  let found = compiled.get(fetch);
  if (!found) {
    found = compileRequires(schema, fetch) ?? { serialize: genericSerializer(schema, fetch) };
    compiled.set(fetch, found);
  }
  return found;
}

function genericSerializer(schema: GraphQLSchema, fetch: FetchNode): CompiledRequires['serialize'] {
  return (entity) => {
    const representation = selectRequired(schema, entity, fetch.requires ?? []);
    if (!representation || !representation.__typename) return null;
    applyRewrites(schema, fetch.inputRewrites, representation);
    return JSON.stringify(representation);
  };
}

/**
 * The common shape, `... on T { __typename key… }` with only fields below it and no input
 * rewrites, written straight to JSON: the same string the generic path makes, without the
 * intermediate object. Anything else takes the generic path.
 */
function compileRequires(schema: GraphQLSchema, fetch: FetchNode): CompiledRequires | undefined {
  const [fragment, ...others] = fetch.requires ?? [];
  if (others.length > 0 || fragment?.kind !== 'InlineFragment' || !fragment.typeCondition) {
    return undefined;
  }
  if (fetch.inputRewrites?.length) return undefined;
  const fields = compileFields(fragment.selections);
  // A `__typename` with a selection set (only hand-made) would serialize other than the
  // generic path does: that takes the generic path.
  if (!fields?.some((field) => field.name === '__typename' && !field.inner)) return undefined;
  const typename = fragment.typeCondition;
  const keyField =
    fields.length === 2 ? fields.find((field) => field.name !== '__typename') : undefined;
  return {
    // Of the type (isObjectOfType): so it has a `__typename`, as the generic path requires.
    serialize: (entity) =>
      isObjectOfType(schema, entity, typename) ? writeFields(entity, fields) : null,
    key: keyField && !keyField.inner ? { typename, field: keyField.name } : undefined,
  };
}

interface CompiledField {
  name: string;
  /** `"name":`, serialized once. */
  key: string;
  inner?: CompiledField[];
}

function compileFields(selections: readonly QueryPlanSelectionNode[]): CompiledField[] | undefined {
  const fields: CompiledField[] = [];
  const names = new Set<string>();
  for (const selection of selections) {
    if (selection.kind !== 'Field') return undefined;
    const name = selection.alias ?? selection.name;
    if (names.has(name)) return undefined;
    names.add(name);
    const inner = selection.selections ? compileFields(selection.selections) : undefined;
    if (selection.selections && !inner) return undefined;
    fields.push({ name, key: `${JSON.stringify(name)}:`, inner });
  }
  return fields;
}

/** selectRequired + JSON.stringify in one pass: null when a field is missing. */
function writeFields(source: JsonObject, fields: readonly CompiledField[]): string | null {
  let json = '{';
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const value = ownValue(source, field.name);
    if (value === undefined) return null;
    if (index > 0) json += ',';
    json += field.key;
    json += field.inner ? writeNested(value, field.inner) : JSON.stringify(value);
  }
  return `${json}}`;
}

function writeNested(value: unknown, fields: readonly CompiledField[]): string {
  if (Array.isArray(value)) {
    return `[${value.map((element: unknown) => writeObject(element, fields)).join(',')}]`;
  }
  return writeObject(value, fields);
}

function writeObject(value: unknown, fields: readonly CompiledField[]): string {
  return (isJsonObject(value) && writeFields(value, fields)) || 'null';
}

/** @apollo/gateway's executeSelectionSet: null when a selected field is missing. */
function selectRequired(
  schema: GraphQLSchema,
  source: unknown,
  selections: readonly QueryPlanSelectionNode[],
): JsonObject | null {
  if (!isJsonObject(source)) return null;
  const result: JsonObject = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const name = selection.alias ?? selection.name;
      const value = ownValue(source, name);
      if (value === undefined) return null;
      const inner = selection.selections;
      if (Array.isArray(value)) {
        result[name] = inner
          ? value.map((element: unknown) => selectRequired(schema, element, inner))
          : value;
      } else {
        result[name] = inner ? selectRequired(schema, value, inner) : value;
      }
    } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
      mergeInto(result, selectRequired(schema, source, selection.selections));
    }
  }
  return result;
}
