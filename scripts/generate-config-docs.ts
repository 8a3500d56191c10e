import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../platform/paths';
import { configuredProcesses } from './config-docs/processes';
import { renderConfigurationReference, undescribedVariables } from './config-docs/render';

// `npm run docs:config`: writes docs/configuration.md, the reference of every environment
// variable each program validates, from the zod schemas themselves. A test fails while the
// committed file differs from what this writes.

export const CONFIGURATION_REFERENCE = join('docs', 'configuration.md');

/** The reference as committed: rendered, then formatted by the repository's Prettier. */
export function configurationReference(): string {
  const markdown = renderConfigurationReference(configuredProcesses());
  // Prettier runs as its own process: its API loads ES modules, which jest's CommonJS runtime
  // cannot, and the test must format exactly as this script does.
  return execFileSync(
    join(repoRoot(), 'node_modules', '.bin', 'prettier'),
    ['--stdin-filepath', CONFIGURATION_REFERENCE],
    { cwd: repoRoot(), input: markdown, encoding: 'utf8' },
  );
}

function main(): void {
  writeFileSync(join(repoRoot(), CONFIGURATION_REFERENCE), configurationReference());
  const missing = undescribedVariables(configuredProcesses());
  process.stdout.write(`wrote ${CONFIGURATION_REFERENCE}\n`);
  if (missing.length > 0) {
    process.stderr.write(
      `variables without a .describe(...) in their schema (their description is blank):\n  ${missing.join('\n  ')}\n`,
    );
    process.exitCode = 1;
  }
}

if (require.main === module) main();
