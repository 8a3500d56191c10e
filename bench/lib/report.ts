import { cpus, totalmem } from 'node:os';
import type { LoadResult } from './load';

export interface BenchRow extends LoadResult {
  name: string;
}

export interface BenchReport {
  title: string;
  /** What was measured and how, in a sentence or two. */
  setup: string;
  rows: BenchRow[];
  /** A table of its own, for benchmarks that are not request loads (rows above then unused). */
  table?: { columns: string[]; rows: (string | number)[][] };
  /** Ratios between rows measured in this same run, e.g. "gateway / direct RPS: 0.61". */
  ratios: string[];
}

export function toMarkdown(report: BenchReport): string {
  const table = report.table ?? {
    columns: ['target', 'RPS', 'p50 ms', 'p95 ms', 'p99 ms', 'requests', 'errors'],
    rows: report.rows.map((row) => [
      row.name,
      row.rps,
      row.p50Ms,
      row.p95Ms,
      row.p99Ms,
      row.requests,
      row.errors,
    ]),
  };
  const lines = [
    `### ${report.title}`,
    '',
    report.setup,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| --- |${' ---: |'.repeat(table.columns.length - 1)}`,
    ...table.rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    ...report.ratios.map((ratio) => `- ${ratio}`),
    '',
  ];
  return lines.join('\n');
}

/** The date and machine a run's numbers belong to, for the heading above its tables. */
export function runDescription(): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  return `${new Date().toISOString().slice(0, 10)} on ${machine}.`;
}
