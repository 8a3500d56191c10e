import { toMarkdown, type BenchReport } from './report';

/**
 * A benchmark run that had failed requests: its tables are kept (they show where the errors
 * were) but the run fails, so no ratio from it can pass for a result.
 */
export class BenchFailure extends Error {
  constructor(
    readonly reports: readonly BenchReport[],
    problems: readonly string[],
  ) {
    super(
      `the run had failed requests (${problems.join('; ')}):\n\n${reports.map(toMarkdown).join('\n')}`,
    );
    this.name = 'BenchFailure';
  }
}
