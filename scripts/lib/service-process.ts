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

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port: number;
  url: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends SIGTERM and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Every stdout/stderr line of the child, as printed. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  startTimeoutMs?: number;
  /**
   * Own process group: a terminal's Ctrl-C then reaches only the supervisor, which stops the
   * children once, in order, instead of every process seeing two signals.
   */
  detached?: boolean;
}

/**
 * Starts one built Tessera process and resolves once it logs that it is listening, with the
 * port it bound (so `PORT=0` gives a free port without races).
 */
export function spawnService(name: ServiceName, options: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(repoRoot(), SERVICE_ENTRIES[name])], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.startTimeoutMs ?? 30_000} ms`));
    }, options.startTimeoutMs ?? 30_000);
    let stderrTail = '';

    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderrTail = `${stderrTail}\n${line}`.slice(-2_000);
      options.onLine?.(line, 'stderr');
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      options.onLine?.(line, 'stdout');
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
        name,
        child,
        port,
        url: `http://127.0.0.1:${port}`,
        exited,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:${stderrTail}`));
    });
  });
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
