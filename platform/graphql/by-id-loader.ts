import DataLoader from 'dataloader';

/** What a key with no value resolves to. */
interface MissingAsError<K> {
  /** The error a key with no value rejects with. */
  missing: (key: K) => Error;
}

/** Every value of a key, in the order fetched; a key with none gets []. */
interface AllOfKey {
  many: true;
}

/**
 * The one way to build a per-request DataLoader: `fetchMany` reads the batch in one query (in
 * the caller's scope, so row-level security applies), `keyOf` says which key a value answers,
 * and the loader hands values back in key order whatever order the rows came in. A key with no
 * value resolves to null, or rejects with `missing(key)` when given; with `many`, a key
 * resolves to all of its values ([] when none), for one-to-many lookups.
 */
export function byIdLoader<V, K = string>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null>;
export function byIdLoader<V, K = string>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
  options: MissingAsError<K>,
): DataLoader<K, V>;
export function byIdLoader<V, K = string>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
  options: AllOfKey,
): DataLoader<K, V[]>;
export function byIdLoader<V, K = string>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
  options?: MissingAsError<K> | AllOfKey,
): DataLoader<K, V | null> | DataLoader<K, V> | DataLoader<K, V[]> {
  if (options && 'many' in options) {
    return new DataLoader<K, V[]>(async (keys) => {
      const byKey = new Map<K, V[]>();
      for (const value of await fetchMany(keys)) {
        const key = keyOf(value);
        const values = byKey.get(key);
        if (values) values.push(value);
        else byKey.set(key, [value]);
      }
      return keys.map((key) => byKey.get(key) ?? []);
    });
  }
  const missing = options?.missing;
  return new DataLoader<K, V | null>(async (keys) => {
    const byKey = new Map<K, V>();
    for (const value of await fetchMany(keys)) byKey.set(keyOf(value), value);
    return keys.map((key) => (byKey.has(key) ? byKey.get(key)! : (missing?.(key) ?? null)));
  });
}
