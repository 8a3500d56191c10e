import type { FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { applyRewrites, isObjectOfType } from './data-rewrites';
import { isJsonObject, mergeInto, type JsonObject } from './merge';

export interface EntityRepresentations {
  /** Distinct representations, serialized: what the subgraph is sent. */
  unique: string[];
  /** For each representation made, the entity it came from… */
  entityIndexes: number[];
  /** …and its position in `unique`. */
  uniqueIndexes: number[];
  /** For each unique representation, the first entity it came from (error paths). */
  firstEntity: number[];
}

/**
 * The `representations` of an entity fetch: for each entity, the fields its `requires`
 * selects (keys and @requires fields), skipped when one is missing. A deep query reaches the
 * same entity from many places (every review of a product names the same product), so equal
 * representations are sent once and the answer is merged into every entity that asked.
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
    firstEntity: [],
  };
  const positions = new Map<string, number>();
  entities.forEach((entity, entityIndex) => {
    const representation = selectRequired(schema, entity, fetch.requires ?? []);
    if (!representation || !representation.__typename) return;
    applyRewrites(schema, fetch.inputRewrites, representation);
    const json = JSON.stringify(representation);
    let position = positions.get(json);
    if (position === undefined) {
      position = result.unique.length;
      positions.set(json, position);
      result.unique.push(json);
      result.firstEntity.push(entityIndex);
    }
    result.entityIndexes.push(entityIndex);
    result.uniqueIndexes.push(position);
  });
  return result;
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
      const value = Object.prototype.hasOwnProperty.call(source, name) ? source[name] : undefined;
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
      mergeInto(result, selectRequired(schema, source, selection.selections), false);
    }
  }
  return result;
}
