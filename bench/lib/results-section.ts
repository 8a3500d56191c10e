import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../platform/paths';

/**
 * Writes one benchmark's section (from its `### heading` to the next) into
 * bench/results/latest.md, replacing that section or adding it, and leaves the other
 * benchmarks' sections as they were: for a bench run alone.
 */
export function replaceResultsSection(heading: string, section: string): void {
  const file = join(repoRoot(), 'bench', 'results', 'latest.md');
  const latest = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = latest.indexOf(heading);
  const end = start < 0 ? -1 : latest.indexOf('\n### ', start + heading.length);
  const kept = start < 0 ? latest.trimEnd() : latest.slice(0, start).trimEnd();
  const after = end < 0 ? '' : latest.slice(end);
  writeFileSync(file, `${kept}\n\n${section}${after}`);
}
