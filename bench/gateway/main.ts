import { gatewayComparison } from '../gateway-comparison.bench';
import { runDescription, toMarkdown } from '../lib/report';
import { gatewayComparisonOptions } from './options';

// `npm run bench:gateway`: the gateway comparison alone, progress on stderr, the Markdown
// tables on stdout (on stderr, and exit 1, when any request failed). Needs neither
// PostgreSQL nor Redis.
async function main(): Promise<void> {
  const reports = await gatewayComparison(
    gatewayComparisonOptions((line) => process.stderr.write(`${line}\n`)),
  );
  process.stdout.write(`${runDescription()}\n\n${reports.map(toMarkdown).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
