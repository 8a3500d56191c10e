import { startListeningScript, type ListeningScript } from '../lib/listening-script';

export type BareProxy = ListeningScript;

/**
 * Starts `bench/lib/bare-proxy.ts` in front of `upstream`, as deployed (NODE_ENV=production);
 * given the gateway's signing key (`kid:base64`), it signs each request's context afresh.
 */
export function startBareProxy(upstream: string, signingKey?: string): Promise<BareProxy> {
  return startListeningScript('bench/lib/bare-proxy.js', {
    NODE_ENV: 'production',
    BENCH_UPSTREAM: upstream,
    ...(signingKey ? { BENCH_SIGNING_KEY: signingKey } : {}),
  });
}
