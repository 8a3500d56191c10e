import type { FetchDataRewrite } from '@apollo/query-planner';
import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { defineOwn, isJsonObject, ownValue, type JsonObject } from './merge';

const FRAGMENT_PREFIX = '... on ';

/**
 * The query planner's input and output rewrites (e.g. the `__typename` of an
 * `@interfaceObject`, or a field renamed to avoid an alias clash): each sets or renames a key
 * at a path that may pass through `... on Type` conditions.
 */
export function applyRewrites(
  schema: GraphQLSchema,
  rewrites: readonly FetchDataRewrite[] | undefined,
  value: unknown,
): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    const last = rewrite.path[rewrite.path.length - 1];
    if (last === undefined) continue;
    if (last.startsWith(FRAGMENT_PREFIX)) {
      throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(',')}`);
    }
    const parentPath = rewrite.path.slice(0, -1);
    applyAtPath(schema, parentPath, value, (object) => {
      if (rewrite.kind === 'ValueSetter') {
        defineOwn(object, last);
        object[last] = rewrite.setValueTo as unknown;
        return;
      }
      const renamed = ownValue(object, last);
      if (renamed) {
        defineOwn(object, rewrite.renameKeyTo);
        object[rewrite.renameKeyTo] = renamed;
        object[last] = undefined;
      }
    });
  }
}

function applyAtPath(
  schema: GraphQLSchema,
  path: readonly string[],
  value: unknown,
  apply: (object: JsonObject) => void,
): void {
  if (Array.isArray(value)) {
    for (const element of value) applyAtPath(schema, path, element, apply);
    return;
  }
  if (!isJsonObject(value)) return;
  const [first, ...rest] = path;
  if (first === undefined) {
    apply(value);
    return;
  }
  if (first.startsWith(FRAGMENT_PREFIX)) {
    if (isObjectOfType(schema, value, first.slice(FRAGMENT_PREFIX.length), true)) {
      applyAtPath(schema, rest, value, apply);
    }
    return;
  }
  const next = ownValue(value, first);
  applyAtPath(schema, rest, next, apply);
}

/** Whether an entity is of `typeCondition` by its `__typename` (unknown: `fallback`). */
export function isObjectOfType(
  schema: GraphQLSchema,
  object: JsonObject,
  typeCondition: string,
  fallback = false,
): boolean {
  const typename = object.__typename;
  if (typeof typename !== 'string' || !typename) return fallback;
  if (typename === typeCondition) return true;
  const type = schema.getType(typename);
  const condition = schema.getType(typeCondition);
  if (!type || !condition || !isAbstractType(condition)) return false;
  return (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(condition, type);
}
