import { prepareTemplateDatabase } from '../testing/database';
import { subscriptionFanout } from './subscription-fanout.bench';
import { runDescription, toMarkdown } from './lib/report';
import { replaceResultsSection } from './lib/results-section';

const HEADING = '### Subscription fan-out';

// `npm run bench:subscriptions`: the subscription fan-out bench alone (`npm run bench` runs it
// with the others), printed as Markdown; its section of bench/results/latest.md is replaced
// (or added), dated, and the other benchmarks' sections are left as they were.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const report = await subscriptionFanout({
    subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 10_000),
    events: Number(process.env.BENCH_EVENTS ?? 1),
  });
  const section = `${toMarkdown(report)}\nMeasured alone, ${runDescription()}\n`;
  replaceResultsSection(HEADING, section);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
