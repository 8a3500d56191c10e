import {
  InMemoryLRUCache,
  type KeyValueCache,
  type KeyValueCacheSetOptions,
} from '@apollo/utils.keyvaluecache';
import { currentContext, type RequestContext } from '../../platform/context/request-context';

/** Apollo Server's own default size for its persisted-query cache. */
const CACHE_BYTES = 30 * 2 ** 20;

/**
 * The cache of Apollo Server's automatic persisted queries, with one namespace per caller:
 * the signed-in user or the API key, else (anonymous) the client IP. A hash one caller
 * registered is unknown to every other, so whether a hash runs tells nobody that someone else
 * sent that exact text, literals included.
 *
 * Per caller rather than per tenant: Apollo looks the hash up before the operation's tenant
 * access is checked, so a tenant namespace would answer anyone who names the tenant; the
 * caller is authenticated by then. It reads the caller from the request's async context,
 * inside which the gateway runs Apollo.
 */
export function callerScopedQueryCache(): KeyValueCache<string> {
  const cache = new InMemoryLRUCache<string>({ maxSize: CACHE_BYTES });
  const scoped = (key: string): string | undefined => {
    const caller = callerOf(currentContext());
    return caller === undefined ? undefined : `${caller}\0${key}`;
  };
  return {
    async get(key) {
      const inScope = scoped(key);
      return inScope === undefined ? undefined : cache.get(inScope);
    },
    async set(key: string, value: string, options?: KeyValueCacheSetOptions) {
      const inScope = scoped(key);
      if (inScope !== undefined) await cache.set(inScope, value, options);
    },
    async delete(key) {
      const inScope = scoped(key);
      return inScope === undefined ? false : cache.delete(inScope);
    },
  };
}

/** Outside a request, or for a caller with no identity and no address, nothing is kept. */
function callerOf(request: RequestContext | undefined): string | undefined {
  if (request?.principal) return `${request.principal.kind}:${request.principal.id}`;
  return request?.ip ? `ip:${request.ip}` : undefined;
}
