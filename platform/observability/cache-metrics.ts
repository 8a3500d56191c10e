import { Counter, type Registry } from 'prom-client';

export const CACHE_LOOKUPS_METRIC = 'tessera_cache_lookups_total';

/** The caches counted, by the `cache` label. */
export type CacheName =
  | 'role'
  | 'api_key'
  | 'jwks'
  | 'access_token'
  | 'jwks_route'
  | 'query_plan'
  | 'tenant_status'
  | 'subscription_document';
/**
 * `hit`: answered from the cache; `miss`: not there (or stale), so the source was asked;
 * `error`: the cache itself could not be read (the source was asked too).
 */
export type CacheResult = 'hit' | 'miss' | 'error';

/**
 * One counter for every cache of a process, `tessera_cache_lookups_total{cache, result}`, so a
 * hit ratio reads the same way for each: hits / (hits + misses). Each read of a cache counts
 * once, whatever it finds; callers that join a lookup already in flight read nothing and count
 * nothing.
 */
export function cacheLookups(registry: Registry): Counter<'cache' | 'result'> {
  const existing = registry.getSingleMetric(CACHE_LOOKUPS_METRIC);
  if (existing) return existing as Counter<'cache' | 'result'>;
  return new Counter({
    name: 'tessera_cache_lookups_total',
    help: 'Cache reads, by cache (role, api_key, jwks, jwks_route, query_plan, tenant_status, subscription_document) and result (hit, miss, error).',
    labelNames: ['cache', 'result'],
    registers: [registry],
  });
}

/** What a cache-using component is handed: count one read. */
export type CountCacheLookup = (result: CacheResult) => void;

export function cacheCounter(registry: Registry | undefined, cache: CacheName): CountCacheLookup {
  if (!registry) return () => undefined;
  const counter = cacheLookups(registry);
  return (result) => counter.inc({ cache, result });
}
