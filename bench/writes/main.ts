import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../platform/paths';
import { prepareTemplateDatabase } from '../../platform/testing/database';
import { runDescription, toMarkdown } from '../lib/report';
import { tenantWrites } from '../tenant-writes.bench';
import { tenantWritesOptions } from './options';

const HEADING = '### Tenant writes through the gateway';

// `node dist/bench/writes/main.js`: the tenant writes bench alone (what `npm run bench` runs
// with the others), printed as Markdown; its section of bench/results/latest.md is replaced
// (or added), dated, and the other benchmarks' sections are left as they were.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const section = `${toMarkdown(await tenantWrites(tenantWritesOptions()))}\nMeasured alone, ${runDescription()}\n`;
  const file = join(repoRoot(), 'bench', 'results', 'latest.md');
  const latest = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = latest.indexOf(HEADING);
  const end = start < 0 ? -1 : latest.indexOf('\n### ', start + HEADING.length);
  const kept = start < 0 ? latest.trimEnd() : latest.slice(0, start).trimEnd();
  const after = end < 0 ? '' : latest.slice(end);
  writeFileSync(file, `${kept}\n\n${section}${after}`);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
