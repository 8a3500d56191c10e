import type { FetchNode, ResponsePath } from '@apollo/query-planner';
import { GraphQLError } from 'graphql';
import { isJsonObject, type JsonObject } from './merge';
import type { EntityRepresentations } from './representations';
import type { SubgraphError } from './subgraph-client';

type ErrorPath = (string | number)[] | undefined;

/**
 * The most copies of errors one fetch reports for the further entities of a shared
 * representation: a subgraph answering thousands of errors for a representation that stands
 * for thousands of entities must not make millions. Each error is still reported once.
 */
export const MAX_ERROR_COPIES = 1_000;

export interface FetchErrorContext {
  fetch: FetchNode;
  /** The whole result being built: entity paths are found in it. */
  fullResult: JsonObject;
  /** Where in the result the fetch's entities sit (`topProducts.@`). */
  path: ResponsePath;
  /** An entity fetch's representations: which entities each one was sent for. */
  representations?: EntityRepresentations;
}

/**
 * A fetch's subgraph errors as the client sees them, as @apollo/gateway reports them: each
 * with its path in the client's result and the subgraph's name, and a code when it had none.
 * An entity fetch sends a representation once for all the entities equal to it, and
 * @apollo/gateway sends one per entity: so an error of that representation is reported once
 * for each of those entities, in entity order.
 */
export function clientErrors(
  errors: readonly SubgraphError[],
  context: FetchErrorContext,
): GraphQLError[] {
  const paths = new ErrorPaths(context);
  const located = errors.flatMap((error) =>
    paths.map(error.path).map(({ entity, path }) => ({
      entity,
      error: downstreamError(error, context.fetch.serviceName, path),
    })),
  );
  // Unshared, the subgraph's order is the one @apollo/gateway would have had: kept as is.
  if (paths.shared) located.sort((a, b) => a.entity - b.entity);
  return located.map(({ error }) => error);
}

function downstreamError(error: SubgraphError, serviceName: string, path: ErrorPath): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const extensions: Record<string, unknown> = { ...error.extensions, serviceName };
  if (typeof error.extensions?.code !== 'string') extensions.code = 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(message, { path, extensions });
}

/**
 * Turns a subgraph error's path (`_entities.3.name`) into its paths in the client's result,
 * each with the entity it belongs to. An error of no entity takes the (first) entity of the
 * error before it, so that sorting by entity leaves it right after that error.
 */
class ErrorPaths {
  /** Whether an error's representation stood for more than one entity. */
  shared = false;
  private hydrated?: (string | number)[][];
  private entitiesOf?: number[][];
  private previousEntity = -1;
  private copies = 0;

  constructor(private readonly context: FetchErrorContext) {}

  map(path: ErrorPath): { entity: number; path: ErrorPath }[] {
    const representation = path?.[1];
    if (!path || !this.context.fetch.requires || typeof representation !== 'number') {
      return [{ entity: this.previousEntity, path: path && [...this.context.path, ...path] }];
    }
    const all = this.entitiesOfRepresentation(representation);
    const copies = Math.min(all.length - 1, MAX_ERROR_COPIES - this.copies);
    const entities = copies < all.length - 1 ? all.slice(0, copies + 1) : all;
    this.copies += copies;
    if (copies > 0) this.shared = true;
    this.previousEntity = entities[0]!;
    const hydrated = this.hydratedPaths();
    const rest = path.slice(2);
    return entities.map((entity) => ({ entity, path: [...(hydrated[entity] ?? []), ...rest] }));
  }

  /** The path in the result of each entity of the fetch, in order. */
  private hydratedPaths(): (string | number)[][] {
    if (!this.hydrated) {
      this.hydrated = [];
      hydratePaths([], this.context.path, this.context.fullResult, this.hydrated);
    }
    return this.hydrated;
  }

  /** The entities sent as this representation (without representations: that entity). */
  private entitiesOfRepresentation(representation: number): number[] {
    const { representations } = this.context;
    if (!this.entitiesOf && representations) {
      const entitiesOf: number[][] = [];
      representations.uniqueIndexes.forEach((unique, position) => {
        (entitiesOf[unique] ??= []).push(representations.entityIndexes[position]!);
      });
      this.entitiesOf = entitiesOf;
    }
    return this.entitiesOf?.[representation] ?? [representation];
  }
}

function hydratePaths(
  parent: (string | number)[],
  path: ResponsePath,
  data: unknown,
  result: (string | number)[][],
): void {
  if (data === null || data === undefined) return;
  const [head, ...rest] = path;
  if (head === undefined) {
    result.push([...parent]);
  } else if (head === '@' || Array.isArray(data)) {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    data.forEach((element: unknown, index) => {
      parent.push(index);
      hydratePaths(parent, head === '@' ? rest : path, element, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (isJsonObject(data) && Object.prototype.hasOwnProperty.call(data, head)) {
      parent.push(head);
      hydratePaths(parent, rest, data[head], result);
      parent.pop();
    }
  }
}
