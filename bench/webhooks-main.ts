import { prepareTemplateDatabase } from '../platform/testing/database';
import { toMarkdown } from './lib/report';
import { webhookDelivery } from './webhook-delivery.bench';

// `npm run bench:webhooks`: the webhook delivery bench alone (`npm run bench` runs it with the
// others), printing its Markdown section. BENCH_WEBHOOK_CPU_PROF_DIR makes Tessera's workers
// write V8 CPU profiles there.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const report = await webhookDelivery({
    deliveries: Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 2_000),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
    cpuProfileDir: process.env.BENCH_WEBHOOK_CPU_PROF_DIR || undefined,
  });
  process.stdout.write(`${toMarkdown(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
