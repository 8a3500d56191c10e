import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../platform/paths';
import { prepareTemplateDatabase } from '../testing/database';
import { gatewayOverhead } from './gateway-overhead.bench';
import { sampleProcessUsage, type ProcessUsage } from './lib/process-usage';
import { runDescription, toMarkdown, type BenchReport } from './lib/report';
import { webhookDelivery } from './webhook-delivery.bench';

// `npm run build:harness && node dist/bench/capacity.js`: the gateway-overhead and webhook-delivery
// benchmarks, each with the memory and CPU of every Tessera process it started sampled from
// /proc, for sizing pods (docs/deploy-kubernetes.md). Writes bench/results/capacity.md.
// Capacity is throughput, not the rate limiter's verdict: one bench user sending for 30 s
// would be throttled (GATEWAY_RATE_LIMIT_PER_USER), so the limits are lifted for the processes
// the benchmarks start (they inherit this environment).
Object.assign(process.env, {
  GATEWAY_RATE_LIMIT_PER_IP: '1000000',
  GATEWAY_RATE_LIMIT_PER_USER: '1000000',
  GATEWAY_RATE_LIMIT_PER_TENANT: '10000000',
});
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 30_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const deliveries = Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 2_000);

function usageTable(usage: ProcessUsage[]): string {
  return [
    '| process | peak RSS MiB | peak CPU cores (5 s) | mean CPU cores |',
    '| --- | ---: | ---: | ---: |',
    ...usage.map((u) => `| ${u.service} | ${u.peakRssMiB} | ${u.peakCores} | ${u.meanCores} |`),
    '',
  ].join('\n');
}

async function measured(run: () => Promise<BenchReport>): Promise<string> {
  const sampler = sampleProcessUsage();
  const report = await run();
  return `${toMarkdown(report)}\n${usageTable(sampler.stop())}`;
}

async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const sections = [
    await measured(() => gatewayOverhead({ durationMs, concurrency, warmupMs: 2_000, rounds: 5 })),
    await measured(() => webhookDelivery({ deliveries, concurrency })),
  ];
  const markdown = ['## Tessera capacity', '', runDescription(), '', ...sections].join('\n');
  const folder = join(repoRoot(), 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'capacity.md'), markdown);
  process.stdout.write(`${markdown}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `capacity failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
