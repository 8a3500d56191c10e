import type { RequestHandler } from '../../platform/http/service-server';
import { sendJson } from '../../platform/http/respond';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';

/**
 * Serves the auth service's public keys at the gateway's `/.well-known/jwks.json`, so
 * clients and other services verify Tessera's access tokens without reaching inside.
 */
export function jwksRoute(
  jwksUrl: URL,
  cacheMs = 60_000,
  countLookup?: CountCacheLookup,
): RequestHandler {
  let cached: { body: unknown; until: number } | undefined;
  return async (_req, res) => {
    const fresh = cached !== undefined && cached.until > Date.now();
    countLookup?.(fresh ? 'hit' : 'miss');
    if (!cached || !fresh) {
      try {
        const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`auth answered ${response.status}`);
        cached = { body: await response.json(), until: Date.now() + cacheMs };
      } catch {
        if (!cached) return sendJson(res, 503, { error: 'signing keys unavailable' });
      }
    }
    sendJson(res, 200, cached.body, { 'cache-control': 'public, max-age=60' });
  };
}
