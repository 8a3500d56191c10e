import type { TestDatabase } from '../../testing/database';
import {
  inTurns,
  type ClosedLoopResult,
  type ClosedLoopSamples,
  type Slice,
} from '../lib/closed-loop';
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
  const charge = await charged(db, pids, load);
  return toMeasuredRun(name, charge.result, charge.serviceMs, charge.postgresMs);
}

/** A load that can be measured in slices: one slice, its clients' turns from `firstTurn`. */
export interface SlicedLoad {
  name: string;
  pids: Readonly<Record<string, number>> | 'self';
  slice: (slice: Slice) => Promise<ClosedLoopSamples>;
}

/**
 * Loads measured in turns (closed-loop.ts's inTurns): the first slice of each starts after the
 * whole warm-up, the others after a short settle. CPU is charged as by measuredRun, slice by
 * slice.
 */
export async function measuredInTurns(
  db: TestDatabase,
  loads: readonly SlicedLoad[],
  timing: { durationMs: number; warmupMs: number; rounds: number },
): Promise<MeasuredRun[]> {
  const sums = loads.map((): { serviceMs: Record<string, number>; postgresMs: number } => ({
    serviceMs: {},
    postgresMs: 0,
  }));
  const results = await inTurns(
    loads.map((load, index) => ({ load, index })),
    { durationMs: timing.durationMs, rounds: timing.rounds, firstWarmupMs: timing.warmupMs },
    async ({ load, index }, slice) => {
      const charge = await charged(db, load.pids, () => load.slice(slice));
      const sum = sums[index]!;
      sum.postgresMs += charge.postgresMs;
      for (const [key, ms] of Object.entries(charge.serviceMs)) {
        sum.serviceMs[key] = (sum.serviceMs[key] ?? 0) + ms;
      }
      return charge.result;
    },
  );
  return loads.map((load, index) =>
    toMeasuredRun(load.name, results[index]!, sums[index]!.serviceMs, sums[index]!.postgresMs),
  );
}

/** Runs `load`, and answers with the CPU ms each of `pids` and the database's backends used. */
async function charged<T>(
  db: TestDatabase,
  pids: Readonly<Record<string, number>> | 'self',
  load: () => Promise<T>,
): Promise<{ result: T; serviceMs: Record<string, number>; postgresMs: number }> {
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
  const serviceMs = Object.fromEntries(
    Object.entries(serviceAfter).map(([key, ms]) => [key, ms - serviceBefore[key]!]),
  );
  return { result, serviceMs, postgresMs };
}

function toMeasuredRun(
  name: string,
  result: ClosedLoopResult,
  serviceMs: Readonly<Record<string, number>>,
  postgresMs: number,
): MeasuredRun {
  const perRequest = (ms: number) =>
    Math.round((ms / Math.max(1, result.succeededTotal)) * 100) / 100;
  return {
    name,
    ...result,
    serviceCpuMsPerRequest: perRequest(Object.values(serviceMs).reduce((sum, ms) => sum + ms, 0)),
    postgresCpuMsPerRequest: perRequest(postgresMs),
    cpuMsPerRequestBy: Object.fromEntries(
      Object.entries(serviceMs).map(([key, ms]) => [key, perRequest(ms)]),
    ),
  };
}
