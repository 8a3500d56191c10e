import autocannon from 'autocannon';
import { percentile } from '../lib/load';
import type { LoadResult } from '../lib/load';
import { cpuTimeMs } from '../lib/process-cpu';
import { descendants, sampleRss } from './peak-rss';

export interface GatewayLoadOptions {
  url: string;
  /** The body of the next request (each caller's own). */
  nextBody: () => string;
  /** The gateway's process, whose (and whose children's) memory and CPU time are measured. */
  pid: number;
  /** The subgraphs' processes, whose CPU time is measured too. */
  subgraphPids: readonly number[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface GatewayLoadResult extends LoadResult {
  /** Peak resident memory of the gateway's process tree while measured, in MiB. */
  peakRssMiB?: number;
  /** User + system CPU time of the gateway's process tree per request answered, in ms. */
  cpuMsPerRequest: number;
  /** The same for the subgraphs' processes together. */
  subgraphCpuMsPerRequest: number;
}

/**
 * autocannon against one gateway: `concurrency` connections, a warm-up run that is thrown
 * away (JIT, plan caches, keep-alive pools), then the measured run, during which the
 * gateway's memory and CPU time and the subgraphs' CPU time are measured. Failures are
 * non-2xx answers, socket errors, timeouts and 200s whose body is not data without `errors`.
 */
export async function loadGateway(options: GatewayLoadOptions): Promise<GatewayLoadResult> {
  const run = (durationMs: number) =>
    autocannon({
      url: options.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (request) => ({ ...request, body: options.nextBody() }) }],
      connections: options.concurrency,
      duration: durationMs / 1000,
      timeout: 30,
      verifyBody: (body) => body.startsWith('{"data":{') && !body.includes('"errors":'),
    });

  await run(options.warmupMs);

  const latencies: number[] = [];
  const gatewayTree = [options.pid, ...descendants(options.pid)];
  const rss = sampleRss(options.pid);
  const cpuBefore = { gateway: cpuTimeMs(gatewayTree), subgraphs: cpuTimeMs(options.subgraphPids) };
  const measured = run(options.durationMs);
  measured.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
  });
  const result = await measured;
  const cpu = {
    gateway: cpuTimeMs(gatewayTree) - cpuBefore.gateway,
    subgraphs: cpuTimeMs(options.subgraphPids) - cpuBefore.subgraphs,
  };
  const peakRss = rss.stop();

  latencies.sort((a, b) => a - b);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const failures = result.non2xx + result.errors + result.mismatches;
  const ok = latencies.length - result.mismatches;
  return {
    requests: ok,
    errors: failures,
    rps: Math.round((ok / seconds) * 10) / 10,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    peakRssMiB: peakRss === undefined ? undefined : Math.round(peakRss / 2 ** 20),
    cpuMsPerRequest: perRequest(cpu.gateway, ok),
    subgraphCpuMsPerRequest: perRequest(cpu.subgraphs, ok),
  };
}

/** CPU ms per answered request to 0.01 ms (NaN when none was answered). */
function perRequest(cpuMs: number, requests: number): number {
  return requests > 0 ? Math.round((cpuMs / requests) * 100) / 100 : NaN;
}
