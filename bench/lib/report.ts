import type { LoadResult } from './load';

export interface BenchRow extends LoadResult {
  name: string;
}

export interface BenchReport {
  title: string;
  /** What was measured and how, in a sentence or two. */
  setup: string;
  rows: BenchRow[];
  /** Ratios between rows measured in this same run, e.g. "gateway / direct RPS: 0.61". */
  ratios: string[];
}

export function toMarkdown(report: BenchReport): string {
  const lines = [
    `### ${report.title}`,
    '',
    report.setup,
    '',
    '| target | RPS | p50 ms | p95 ms | p99 ms | requests | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.rows.map(
      (row) =>
        `| ${row.name} | ${row.rps} | ${row.p50Ms} | ${row.p95Ms} | ${row.p99Ms} | ${row.requests} | ${row.errors} |`,
    ),
    '',
    ...report.ratios.map((ratio) => `- ${ratio}`),
    '',
  ];
  return lines.join('\n');
}
