/** Plain JSON objects as subgraphs send them. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges a subgraph's answer into the result being built, as @apollo/gateway's deepMerge
 * does. With `copy`, nothing of `source` is shared with `target`: one de-duplicated entity
 * answer merged into several places of the result must not become one object there, since
 * later fetches may add different fields to each place.
 */
export function mergeInto(target: JsonObject, source: unknown, copy: boolean): void {
  if (!isJsonObject(source)) return;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) continue;
    if (key in target && !Object.prototype.hasOwnProperty.call(target, key)) {
      // a key such as `constructor` must become the object's own, not shadow the prototype's
      Object.defineProperty(target, key, {
        configurable: true,
        enumerable: true,
        value: undefined,
        writable: true,
      });
    }
    const current = target[key];
    if (current && isJsonObject(value)) {
      mergeInto(current as JsonObject, value, copy);
    } else if (Array.isArray(value) && Array.isArray(current) && value.length === current.length) {
      for (let index = 0; index < value.length; index++) {
        const element: unknown = value[index];
        if (isJsonObject(current[index]) && isJsonObject(element)) {
          mergeInto(current[index] as JsonObject, element, copy);
        } else {
          current[index] = copy ? cloneJson(element) : element;
        }
      }
    } else {
      target[key] = copy ? cloneJson(value) : value;
    }
  }
}

function cloneJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  const clone: JsonObject = {};
  for (const key of Object.keys(value)) {
    const element = (value as JsonObject)[key];
    if (key === '__proto__') {
      Object.defineProperty(clone, key, {
        value: cloneJson(element),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      clone[key] = cloneJson(element);
    }
  }
  return clone;
}
