import type { TestDatabase } from '../../testing/database';
import {
  SLICE_SETTLE_MS,
  summarize,
  type ClosedLoopResult,
  type ClosedLoopSamples,
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
  slice: (timing: {
    durationMs: number;
    warmupMs: number;
    firstTurn: number;
  }) => Promise<ClosedLoopSamples>;
}

/**
 * Loads measured in turns: each one's `durationMs` is cut into `rounds` slices, and every
 * round runs one slice of each, in order, so that the machine's drift over the run reaches
 * every load alike instead of the last ones measured. The first slice of each load starts
 * after the whole warm-up, the others after a short settle. CPU is charged as by measuredRun,
 * slice by slice.
 */
export async function measuredInTurns(
  db: TestDatabase,
  loads: readonly SlicedLoad[],
  timing: { durationMs: number; warmupMs: number; rounds: number },
): Promise<MeasuredRun[]> {
  const sliceMs = Math.ceil(timing.durationMs / timing.rounds);
  const taken = loads.map((): Sums => ({ slices: [], serviceMs: {}, postgresMs: 0, turns: 0 }));
  for (let round = 0; round < timing.rounds; round += 1) {
    for (const [index, load] of loads.entries()) {
      const sums = taken[index]!;
      const warmupMs = round === 0 ? timing.warmupMs : Math.min(SLICE_SETTLE_MS, timing.warmupMs);
      const charge = await charged(db, load.pids, () =>
        load.slice({ durationMs: sliceMs, warmupMs, firstTurn: sums.turns }),
      );
      sums.slices.push(charge.result);
      sums.turns += charge.result.turns;
      sums.postgresMs += charge.postgresMs;
      for (const [key, ms] of Object.entries(charge.serviceMs)) {
        sums.serviceMs[key] = (sums.serviceMs[key] ?? 0) + ms;
      }
    }
  }
  return loads.map((load, index) => {
    const sums = taken[index]!;
    const result = summarize(sums.slices, sliceMs * timing.rounds);
    return toMeasuredRun(load.name, result, sums.serviceMs, sums.postgresMs);
  });
}

/** What a load's slices add up to. */
interface Sums {
  slices: ClosedLoopSamples[];
  serviceMs: Record<string, number>;
  postgresMs: number;
  turns: number;
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
