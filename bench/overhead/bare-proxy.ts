import { startListeningScript, type ListeningScript } from '../lib/listening-script';

export type BareProxy = ListeningScript;

/** Starts `bench/lib/bare-proxy.ts` in front of `upstream`, as deployed (NODE_ENV=production). */
export function startBareProxy(upstream: string): Promise<BareProxy> {
  return startListeningScript('bench/lib/bare-proxy.js', {
    NODE_ENV: 'production',
    BENCH_UPSTREAM: upstream,
  });
}
