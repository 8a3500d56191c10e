import type { TestDatabase } from '../../platform/testing/database';
import type { ClosedLoopResult } from '../lib/closed-loop';
import { postgresCpuBetween, postgresCpuSnapshot } from '../lib/postgres-cpu';
import { cpuTimeMs } from '../lib/process-cpu';

export interface MeasuredRun extends ClosedLoopResult {
  name: string;
  /** User + system CPU ms of the serving processes (Tessera's, or the bench's own) per request. */
  serviceCpuMsPerRequest: number;
  /** CPU ms of the database's PostgreSQL backends per request. */
  postgresCpuMsPerRequest: number;
}

/**
 * Runs a load and charges it the CPU time `pids` and the database's backends used meanwhile,
 * per successful request (warm-up included on both sides of the division).
 */
export async function measuredRun(
  name: string,
  db: TestDatabase,
  pids: readonly number[] | 'self',
  load: () => Promise<ClosedLoopResult>,
): Promise<MeasuredRun> {
  const serviceCpu = () => {
    if (pids !== 'self') return cpuTimeMs(pids);
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const postgresBefore = await postgresCpuSnapshot(db);
  const serviceBefore = serviceCpu();
  const result = await load();
  const serviceMs = serviceCpu() - serviceBefore;
  const postgresMs = postgresCpuBetween(postgresBefore, await postgresCpuSnapshot(db));
  const perRequest = (ms: number) =>
    Math.round((ms / Math.max(1, result.succeededTotal)) * 100) / 100;
  return {
    name,
    ...result,
    serviceCpuMsPerRequest: perRequest(serviceMs),
    postgresCpuMsPerRequest: perRequest(postgresMs),
  };
}
