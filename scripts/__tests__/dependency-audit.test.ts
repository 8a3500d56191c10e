import { auditOutcome, auditVerdict } from '../dependency-audit';

// The reports below have the shape `npm audit --json` prints (audit report version 2); the
// advisory service itself is not reachable from every runner, so its answers are written out.

const clean = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
});

const withModerate = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: { 'left-pad': { name: 'left-pad', severity: 'moderate', via: [] } },
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high: 0, critical: 0, total: 1 } },
});

const withHighAndCritical = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    tar: { name: 'tar', severity: 'high', via: [{ title: 'Arbitrary file write' }] },
    'left-pad': { name: 'left-pad', severity: 'low', via: [] },
    ws: { name: 'ws', severity: 'critical', via: [{ title: 'DoS' }] },
  },
  metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 1, total: 3 } },
});

const refusedByProxy = JSON.stringify({
  message:
    '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  error: { summary: '', detail: '' },
});

describe('dependency audit verdict', () => {
  it('passes a clean report and one with only moderate advisories', () => {
    expect(auditOutcome(auditVerdict(clean), true)).toEqual({
      code: 0,
      line: 'dependency audit: no high or critical advisories',
    });
    expect(auditOutcome(auditVerdict(withModerate), true)).toEqual({
      code: 0,
      line: 'dependency audit: no high or critical advisories (1 moderate)',
    });
  });

  it('fails on high or critical advisories, naming each package', () => {
    const outcome = auditOutcome(auditVerdict(withHighAndCritical), false);
    expect(outcome.code).toBe(1);
    expect(outcome.line).toContain('tar (high), ws (critical)');
    expect(outcome.line).not.toContain('left-pad');
  });

  it('says the audit did not run when the advisory service refuses, failing only when required', () => {
    const verdict = auditVerdict(refusedByProxy);
    expect(verdict).toEqual({ kind: 'unavailable', reason: expect.stringContaining('405') });
    expect(auditOutcome(verdict, false).code).toBe(0);
    expect(auditOutcome(verdict, false).line).toMatch(/^dependency audit NOT RUN/);
    expect(auditOutcome(verdict, true).code).toBe(2);
  });

  it('treats output that is not a report as an audit that did not run', () => {
    expect(auditVerdict('npm ERR! network')).toEqual({
      kind: 'unavailable',
      reason: 'npm audit printed no JSON report',
    });
    expect(auditVerdict('{}').kind).toBe('unavailable');
  });
});
