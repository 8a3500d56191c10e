import { runChecks, type ReadinessCheck } from '../../../platform/http/readiness';
import { fromCheck, type ProcessReadiness, type ReadinessProbe } from '../probes/readiness-probe';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthModel {
  status: HealthStatus;
  checks: ProcessReadiness[];
}

/**
 * The platform's readiness: this process's own dependency checks (PostgreSQL, Redis), then
 * every other process's `/readyz`. Down when a shared dependency is gone, since no process
 * works without it; degraded when only some process is not ready.
 */
export class HealthService {
  constructor(
    private readonly dependencies: readonly ReadinessCheck[],
    private readonly processes: ReadinessProbe,
  ) {}

  async health(): Promise<HealthModel> {
    const [own, processes] = await Promise.all([
      runChecks(this.dependencies),
      this.processes.probeAll(),
    ]);
    const checks = [...own.map(fromCheck), ...processes];
    const status: HealthStatus = own.some((check) => check.status !== 'ok')
      ? 'down'
      : processes.every((check) => check.status === 'ok')
        ? 'ok'
        : 'degraded';
    return { status, checks };
  }
}
