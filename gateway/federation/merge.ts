/** Plain JSON objects as subgraphs send them. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's own value at `key`: never one inherited (`constructor`, `toString`). */
export function ownValue(object: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Makes `key` the object's own before it is set, so it cannot hit a prototype's setter. */
export function defineOwn(object: JsonObject, key: string): void {
  if (key in object && !Object.prototype.hasOwnProperty.call(object, key)) {
    Object.defineProperty(object, key, {
      configurable: true,
      enumerable: true,
      value: undefined,
      writable: true,
    });
  }
}

/**
 * Merges a subgraph's answer into the result being built, as @apollo/gateway's deepMerge
 * does: objects and arrays the target lacks are taken by reference, not copied.
 */
export function mergeInto(target: JsonObject, source: unknown): void {
  if (!isJsonObject(source)) return;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) continue;
    defineOwn(target, key);
    const current = target[key];
    if (current && isJsonObject(value)) {
      mergeInto(current as JsonObject, value);
    } else if (Array.isArray(value) && Array.isArray(current) && value.length === current.length) {
      for (let index = 0; index < value.length; index++) {
        const element: unknown = value[index];
        if (isJsonObject(current[index]) && isJsonObject(element)) {
          mergeInto(current[index] as JsonObject, element);
        } else {
          current[index] = element;
        }
      }
    } else {
      target[key] = value;
    }
  }
}
