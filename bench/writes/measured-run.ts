import type { TestDatabase } from '../../testing/database';
import type { ClosedLoopResult } from '../lib/closed-loop';
import { postgresCpuBetween, postgresCpuSnapshot } from '../lib/postgres-cpu';
import { cpuTimeMs } from '../lib/process-cpu';

export interface MeasuredRun extends ClosedLoopResult {
  name: string;
  /** User + system CPU ms of the serving processes (Tessera's, or the bench's own) per request. */
  serviceCpuMsPerRequest: number;
  /** CPU ms of the database's PostgreSQL backends per request. */
  postgresCpuMsPerRequest: number;
  /** The serving processes' CPU ms per request, each apart (by name). */
  cpuMsPerRequestBy: Record<string, number>;
}

/**
 * Runs a load and charges it the CPU time `pids` and the database's backends used meanwhile,
 * per successful request (warm-up included on both sides of the division).
 */
export async function measuredRun(
  name: string,
  db: TestDatabase,
  pids: Readonly<Record<string, number>> | 'self',
  load: () => Promise<ClosedLoopResult>,
): Promise<MeasuredRun> {
  const serviceCpu = (): Record<string, number> => {
    if (pids !== 'self') {
      return Object.fromEntries(Object.entries(pids).map(([key, pid]) => [key, cpuTimeMs([pid])]));
    }
    const usage = process.cpuUsage();
    return { bench: (usage.user + usage.system) / 1000 };
  };
  const postgresBefore = await postgresCpuSnapshot(db);
  const serviceBefore = serviceCpu();
  const result = await load();
  const serviceAfter = serviceCpu();
  const postgresMs = postgresCpuBetween(postgresBefore, await postgresCpuSnapshot(db));
  const perRequest = (ms: number) =>
    Math.round((ms / Math.max(1, result.succeededTotal)) * 100) / 100;
  const by = Object.fromEntries(
    Object.entries(serviceAfter).map(([key, ms]) => [key, perRequest(ms - serviceBefore[key]!)]),
  );
  return {
    name,
    ...result,
    serviceCpuMsPerRequest: perRequest(
      Object.entries(serviceAfter).reduce((sum, [key, ms]) => sum + ms - serviceBefore[key]!, 0),
    ),
    postgresCpuMsPerRequest: perRequest(postgresMs),
    cpuMsPerRequestBy: by,
  };
}
