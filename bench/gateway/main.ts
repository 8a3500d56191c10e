import { gatewayComparison } from '../gateway-comparison.bench';
import { runDescription, toMarkdown } from '../lib/report';
import { gatewayComparisonOptions } from './options';

// `npm run bench:gateway`: the gateway comparison alone, progress on stderr, the Markdown
// table on stdout. Needs neither PostgreSQL nor Redis.
async function main(): Promise<void> {
  const report = await gatewayComparison(
    gatewayComparisonOptions((line) => process.stderr.write(`${line}\n`)),
  );
  process.stdout.write(`${runDescription()}\n\n${toMarkdown(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
