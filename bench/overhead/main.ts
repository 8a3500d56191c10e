import { prepareTemplateDatabase } from '../../testing/database';
import { gatewayOverhead, OVERHEAD_TITLE } from '../gateway-overhead.bench';
import { runDescription, toMarkdown } from '../lib/report';
import { replaceResultsSection } from '../lib/results-section';
import { overheadTiming } from './options';

// `npm run bench:overhead`: the gateway production-path bench alone (what `npm run bench`
// runs with the others), printed as Markdown; its section of bench/results/latest.md is
// replaced (or added), dated, and the other benchmarks' sections are left as they were.
// BENCH_OVERHEAD_CPU_PROF_DIR makes every process of its stack write a V8 CPU profile there.
async function main(): Promise<void> {
  await prepareTemplateDatabase();
  const section = `${toMarkdown(await gatewayOverhead(overheadTiming(), process.env.BENCH_OVERHEAD_CPU_PROF_DIR || undefined))}\nMeasured alone, ${runDescription()}\n`;
  replaceResultsSection(`### ${OVERHEAD_TITLE}`, section);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
