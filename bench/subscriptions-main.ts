import { prepareTemplateDatabase } from '../testing/database';
import { subscriptionFanout } from './subscription-fanout.bench';
import { toMarkdown } from './lib/report';

// `npm run bench:subscriptions`: the subscription fan-out bench alone (`npm run bench` runs it
// with the others), printing its Markdown section.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const report = await subscriptionFanout({
    subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 10_000),
    events: Number(process.env.BENCH_EVENTS ?? 1),
  });
  process.stdout.write(`${toMarkdown(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
