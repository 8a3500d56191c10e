import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../platform/paths';

export const SERVICE_ENTRIES = {
  gateway: 'dist/gateway/main.js',
  auth: 'dist/subgraphs/auth/main.js',
  tenancy: 'dist/subgraphs/tenancy/main.js',
  assets: 'dist/subgraphs/assets/main.js',
  jobs: 'dist/subgraphs/jobs/main.js',
  observability: 'dist/subgraphs/observability/main.js',
  worker: 'dist/subgraphs/jobs/worker/main.js',
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;

/**
 * Node flags a process runs with, wherever it is started (the Dockerfile, docker-compose.yml
 * and the Kubernetes manifests say the same). The gateway allocates a short-lived tree per
 * subgraph answer and per response; a 32 MiB young generation semi-space (V8's default tops
 * out at 16) lets most of it die before a scavenge, which cut the gateway's garbage
 * collection time per request by about three quarters (docs/profiles/executor.md).
 */
export const SERVICE_NODE_FLAGS: Partial<Record<ServiceName, readonly string[]>> = {
  gateway: ['--max-semi-space-size=32'],
};

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port: number;
  url: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends SIGTERM (SIGKILL after `killAfterMs`) and waits for the exit. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | string>;
}

/** A process from the moment it is spawned: stoppable before it listens. */
export interface LaunchedService extends Pick<
  ServiceProcess,
  'name' | 'child' | 'exited' | 'stop'
> {
  /** Resolves once the process logs that it listens; rejects if it exits or times out first. */
  ready: Promise<ServiceProcess>;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Every stdout/stderr line of the child, as printed. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  startTimeoutMs?: number;
  /** Node options before the entry file (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  execArgv?: string[];
  /**
   * Own process group: a terminal's Ctrl-C then reaches only the supervisor, which stops the
   * children once, in order, instead of every process seeing two signals.
   */
  detached?: boolean;
}

/** Long enough for any drain (SHUTDOWN_GRACE_MS is at most 120 s); only a hung process hits it. */
const DEFAULT_KILL_AFTER_MS = 130_000;
/** How long after a process exits its output pipes are waited for (see `exited`). */
const PIPES_CLOSE_WAIT_MS = 2_000;

/**
 * Spawns one built Tessera process. The handle exists at once, so a supervisor can stop a
 * process that is still starting; `ready` gives the port it bound (so `PORT=0` gives a free
 * port without races).
 */
export function launchService(name: ServiceName, options: SpawnOptions): LaunchedService {
  const args = [
    ...(SERVICE_NODE_FLAGS[name] ?? []),
    ...(options.execArgv ?? []),
    join(repoRoot(), SERVICE_ENTRIES[name]),
  ];
  const child = spawn(process.execPath, args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      const outcome = code ?? signal ?? 'unknown';
      // Its last lines may still be in the pipes: resolve once they are read ('close'), or
      // soon after in any case, as a process of its own (a cluster worker) may hold them.
      const timer = setTimeout(() => resolve(outcome), PIPES_CLOSE_WAIT_MS);
      child.once('close', () => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM', killAfterMs = DEFAULT_KILL_AFTER_MS) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill(signal);
    const escalation = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    return exited.finally(() => clearTimeout(escalation));
  };

  const ready = new Promise<ServiceProcess>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    let stderrTail = '';

    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail = `${stderrTail}\n${line}`.slice(-2_000);
      options.onLine?.(line, 'stderr');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      options.onLine?.(line, 'stdout');
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({ name, child, port, url: `http://127.0.0.1:${port}`, exited, stop });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:${stderrTail}`));
    });
  });
  // A caller that only stops the process never reads `ready`; its rejection is not an error.
  ready.catch(() => undefined);
  return { name, child, exited, stop, ready };
}

/** Starts one built Tessera process and resolves once it listens. */
export function spawnService(name: ServiceName, options: SpawnOptions): Promise<ServiceProcess> {
  return launchService(name, options).ready;
}

function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
