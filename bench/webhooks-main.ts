import { prepareTemplateDatabase } from '../testing/database';
import { runDescription, toMarkdown } from './lib/report';
import { replaceResultsSection } from './lib/results-section';
import { webhookDelivery } from './webhook-delivery.bench';
import { webhookBenchConcurrency } from './webhooks/concurrency';

// `npm run bench:webhooks`: the webhook delivery bench alone (`npm run bench` runs it with the
// others), printing its Markdown section, which replaces (or adds) its section of
// bench/results/latest.md, dated. BENCH_WEBHOOK_CPU_PROF_DIR makes Tessera's workers
// write V8 CPU profiles there.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const report = await webhookDelivery({
    deliveries: Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 2_000),
    concurrency: webhookBenchConcurrency(),
    cpuProfileDir: process.env.BENCH_WEBHOOK_CPU_PROF_DIR || undefined,
  });
  const section = `${toMarkdown(report)}\nMeasured alone, ${runDescription()}\n`;
  replaceResultsSection(`### ${report.title}`, section);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
