import { prepareTemplateDatabase } from '../../platform/testing/database';
import { toMarkdown } from '../lib/report';
import { tenantWrites } from '../tenant-writes.bench';
import { tenantWritesOptions } from './options';

// `node dist/bench/writes/main.js`: the tenant writes bench alone (what `npm run bench` runs
// with the others), printed as Markdown.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  process.stdout.write(`${toMarkdown(await tenantWrites(tenantWritesOptions()))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
