import { BenchFailure } from '../../lib/bench-failure';
import { comparisonReport, failedRows, type Outcome } from '../comparison-report';
import { GATEWAYS, type GatewayKey } from '../gateways';
import type { GatewayLoadResult } from '../load';

const setup = {
  answering: 'executing' as const,
  concurrency: 50,
  warmupMs: 1_000,
  durationMs: 2_000,
};

function measured(key: GatewayKey, result: Partial<GatewayLoadResult>): Outcome {
  return {
    gateway: GATEWAYS.find((gateway) => gateway.key === key)!,
    result: {
      requests: 1_000,
      errors: 0,
      rps: 100,
      p50Ms: 10,
      p95Ms: 20,
      p99Ms: 30,
      peakRssMiB: 100,
      cpuMsPerRequest: 5,
      subgraphCpuMsPerRequest: 3,
      ...result,
    },
  };
}

// The table is what the README quotes: these pin what may and may not become a headline.
describe('gateway comparison report', () => {
  it('takes headline ratios from Tessera without deduplication, the deduplicating row labelled apart', () => {
    const report = comparisonReport(
      [
        measured('stock', { rps: 100, cpuMsPerRequest: 18 }),
        measured('hive-router', { rps: 300, cpuMsPerRequest: 4 }),
        measured('tessera-no-dedup', { rps: 450, cpuMsPerRequest: 3 }),
        measured('tessera', { rps: 900, cpuMsPerRequest: 1 }),
      ],
      setup,
    );
    expect(report.ratios).toEqual(
      expect.arrayContaining([
        'Tessera / stock @apollo/gateway RPS: 4.50',
        'Tessera / Hive Gateway --hive-router-runtime CPU per request: 0.75',
      ]),
    );
    const headlines = report.ratios.filter((line) => !line.startsWith('Not a headline'));
    expect(headlines.join('\n')).not.toContain('9.00');
    expect(report.ratios.find((line) => line.startsWith('Not a headline'))).toMatch(/: 9\.00$/);
    expect(report.table!.columns).toEqual(
      expect.arrayContaining(['gateway CPU ms/request', 'subgraphs CPU ms/request', 'errors']),
    );
  });

  it('prints no ratio when any row had a failed request, and names the row', () => {
    const outcomes = [
      measured('stock', { rps: 100 }),
      measured('tessera-no-dedup', { rps: 600, errors: 3 }),
    ];
    const report = comparisonReport(outcomes, setup);
    expect(report.ratios).toEqual([
      'No ratios: the run had failed requests (Tessera (generic mode, no query deduplication): 3 failed requests).',
    ]);
    expect(failedRows(outcomes)).toHaveLength(1);
    expect(new BenchFailure([report], failedRows(outcomes)).message).toContain('| 3 |');
  });

  it('gives a gateway that could not start a row saying why, and no ratio against it', () => {
    const report = comparisonReport(
      [
        measured('tessera-no-dedup', {}),
        { gateway: GATEWAYS.find((g) => g.key === 'hive-router')!, failed: 'no binary' },
      ],
      setup,
    );
    expect(report.table!.rows[1]![1]).toBe('could not run: no binary');
    expect(report.ratios.some((line) => line.includes('hive-router-runtime'))).toBe(false);
  });
});
