import { runChecks, type CheckResult, type ReadinessCheck } from '../../../platform/http';

export interface HealthModel {
  status: 'ok' | 'degraded';
  checks: CheckResult[];
}

/** The platform's dependencies as this process sees them. */
export class HealthService {
  constructor(private readonly checks: ReadinessCheck[]) {}

  async health(): Promise<HealthModel> {
    const checks = await runChecks(this.checks);
    return { status: checks.every((check) => check.status === 'ok') ? 'ok' : 'degraded', checks };
  }
}
