import { prepareTemplateDatabase } from '../../testing/database';
import { runDescription, toMarkdown } from '../lib/report';
import { replaceResultsSection } from '../lib/results-section';
import { tenantWrites } from '../tenant-writes.bench';
import { tenantWritesOptions } from './options';

const HEADING = '### Tenant writes through the gateway';

// `node dist/bench/writes/main.js`: the tenant writes bench alone (what `npm run bench` runs
// with the others), printed as Markdown; its section of bench/results/latest.md is replaced
// (or added), dated, and the other benchmarks' sections are left as they were.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const section = `${toMarkdown(await tenantWrites(tenantWritesOptions()))}\nMeasured alone, ${runDescription()}\n`;
  replaceResultsSection(HEADING, section);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
