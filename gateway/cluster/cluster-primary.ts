import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { answerMetricsRequests } from './cluster-metrics';

/** A worker that lived this long before dying was healthy: its slot's backoff starts over. */
const STABLE_UPTIME_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 10_000;
/** Deaths in a row, each before STABLE_UPTIME_MS, after which restarting is pointless. */
const MAX_QUICK_DEATHS = 5;
/**
 * A worker drains for up to SHUTDOWN_GRACE_MS, then closes what is left and its pools; this
 * is the time allowed for that last step before it is killed.
 */
export const CLEANUP_MS = 5_000;

interface Slot {
  worker?: Worker;
  /** Whether the current worker got as far as listening (it has requests to drain). */
  listening: boolean;
  startedAt: number;
  quickDeaths: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * The primary of a gateway cluster: forks GATEWAY_WORKERS workers that share the port, serves
 * no requests itself, restarts a worker that dies (backing off, giving up with exit 1 when a
 * slot keeps dying young), answers workers' requests for the whole cluster's metrics, and on
 * SIGTERM/SIGINT forwards the signal, waits for every worker to drain and exits 0 (1 if one
 * had to be killed or failed).
 */
export function runClusterPrimary(config: GatewayConfig, logger: Logger): void {
  const slots: Slot[] = [];
  let stopping = false;
  let failed = false;
  let stopSignal: NodeJS.Signals | undefined;

  const fork = (slot: Slot) => {
    slot.restartTimer = undefined;
    slot.startedAt = Date.now();
    slot.listening = false;
    slot.worker = cluster.fork();
  };

  markListening(slots, logger);

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.find((candidate) => candidate.worker === worker);
    if (!slot) return;
    slot.worker = undefined;
    const death = { worker: worker.id, pid: worker.process.pid, code, signal };
    if (stopping) {
      // One still starting up when the signal came had nothing to drain.
      const clean = code === 0 || (!slot.listening && signal === stopSignal);
      if (!clean) failed = true;
      logger.info(death, 'worker stopped');
      if (slots.every((candidate) => !candidate.worker)) {
        logger.info({ failed }, 'all workers stopped');
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    const delayMs = restartDelayMs(slot);
    if (delayMs === undefined) {
      logger.fatal(
        { ...death, deaths: slot.quickDeaths },
        'worker keeps dying soon after start; stopping the gateway',
      );
      failed = true;
      stop('SIGTERM');
      return;
    }
    logger.error({ ...death, restartInMs: delayMs }, 'worker died; restarting it');
    slot.restartTimer = setTimeout(() => fork(slot), delayMs);
  });

  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    stopSignal = signal;
    for (const slot of slots) clearTimeout(slot.restartTimer);
    const running = runningWorkers(slots);
    if (running.length === 0) process.exit(failed ? 1 : 0);
    for (const worker of running) worker.process.kill(signal);
    killStragglers(slots, config.SHUTDOWN_GRACE_MS, logger, () => (failed = true));
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // As a single gateway: a second signal while draining means now.
      logger.warn({ signal }, 'second signal; killing workers and exiting now');
      for (const slot of slots) slot.worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    logger.info({ signal, workers: slots.length }, 'shutting down');
    stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  answerMetricsRequests(() =>
    slots.flatMap((slot) => (slot.worker && slot.listening ? [slot.worker] : [])),
  );
  logger.info({ workers: config.GATEWAY_WORKERS, port: config.PORT }, 'starting gateway workers');
  for (let i = 0; i < config.GATEWAY_WORKERS; i++) {
    const slot: Slot = { listening: false, startedAt: 0, quickDeaths: 0 };
    slots.push(slot);
    fork(slot);
  }
}

/** Marks a slot listening at its worker's first listener (it then has requests to drain). */
function markListening(slots: Slot[], logger: Logger): void {
  cluster.on('listening', (worker) => {
    const slot = slots.find((candidate) => candidate.worker === worker);
    // Its first listener is the gateway's port; a metrics port (GATEWAY_METRICS_PORT) follows.
    if (!slot || slot.listening) return;
    slot.listening = true;
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker listening');
  });
}

/**
 * Counts a death against its slot; the backoff before the restart, doubling with each young
 * death in a row, or undefined once the slot keeps dying young.
 */
function restartDelayMs(slot: Slot): number | undefined {
  const young = Date.now() - slot.startedAt < STABLE_UPTIME_MS;
  slot.quickDeaths = young ? slot.quickDeaths + 1 : 1;
  if (slot.quickDeaths > MAX_QUICK_DEATHS) return undefined;
  return Math.min(FIRST_RESTART_DELAY_MS * 2 ** (slot.quickDeaths - 1), MAX_RESTART_DELAY_MS);
}

function runningWorkers(slots: Slot[]): Worker[] {
  return slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
}

/** Once the drain and cleanup time is up, kills every worker still running. */
function killStragglers(slots: Slot[], graceMs: number, logger: Logger, onKill: () => void): void {
  setTimeout(() => {
    for (const worker of runningWorkers(slots)) {
      logger.error(
        { worker: worker.id, pid: worker.process.pid, graceMs },
        'worker did not stop in time; killing it',
      );
      onKill();
      worker.process.kill('SIGKILL');
    }
  }, graceMs + CLEANUP_MS).unref();
}
