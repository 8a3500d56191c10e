import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareTemplateDatabase } from '../testing/database';
import { repoRoot } from '../platform/paths';
import { gatewayOverhead } from './gateway-overhead.bench';
import { overheadTiming } from './overhead/options';
import { subscriptionFanout } from './subscription-fanout.bench';
import { webhookDelivery } from './webhook-delivery.bench';
import { webhookBenchConcurrency } from './webhooks/concurrency';
import { webhookIsolation } from './webhook-isolation.bench';
import { webhookIsolationOptions } from './webhook-isolation-options';
import { gatewayComparison } from './gateway-comparison.bench';
import { gatewayComparisonOptions } from './gateway/options';
import { tenantWrites } from './tenant-writes.bench';
import { tenantWritesOptions } from './writes/options';
import { runDescription, toMarkdown, type BenchReport } from './lib/report';

// `npm run bench`: every benchmark, each comparing against a baseline measured in the same
// run; prints Markdown and writes it to bench/results/latest.md.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const reports: BenchReport[] = [
    await gatewayOverhead(overheadTiming()),
    ...(await gatewayComparison(gatewayComparisonOptions())),
    await subscriptionFanout({
      subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 10_000),
      events: Number(process.env.BENCH_EVENTS ?? 1),
    }),
    await webhookDelivery({
      deliveries: Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 2_000),
      concurrency: webhookBenchConcurrency(),
    }),
    await webhookIsolation(webhookIsolationOptions()),
    await tenantWrites(tenantWritesOptions()),
  ];

  const markdown = [
    `## Tessera benchmarks`,
    '',
    runDescription(),
    '',
    ...reports.map(toMarkdown),
  ].join('\n');
  const folder = join(repoRoot(), 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'latest.md'), markdown);
  process.stdout.write(`${markdown}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
