import { prepareTemplateDatabase } from '../testing/database';
import { toMarkdown } from './lib/report';
import { webhookIsolation } from './webhook-isolation.bench';
import { webhookIsolationOptions } from './webhook-isolation-options';

// `npm run bench:webhook-isolation`: the webhook isolation bench alone (`npm run bench` runs
// it with the others), printing its Markdown section.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const report = await webhookIsolation(webhookIsolationOptions());
  process.stdout.write(`${toMarkdown(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
