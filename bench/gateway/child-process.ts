import { freePort } from '../../testing/free-port';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface BenchProcess {
  label: string;
  child: ChildProcess;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** Where it serves `/metrics`, when not on its GraphQL port. */
  metricsUrl?: string;
  /** The last lines it printed, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  label: string;
  /** Arguments to `node`: the script first. */
  args: string[];
  port: number;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

/**
 * Starts a Node process that serves GraphQL on `port` and resolves once it answers
 * `{ __typename }`; every bench process (subgraph or gateway) starts the same way, whatever
 * it prints.
 */
export async function startProcess(options: StartOptions): Promise<BenchProcess> {
  const child = spawn(process.execPath, options.args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail: string[] = [];
  const remember = (line: string) => {
    tail = [...tail.slice(-39), line];
  };
  createInterface({ input: child.stdout }).on('line', remember);
  createInterface({ input: child.stderr }).on('line', remember);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}/graphql`;
  const running: BenchProcess = {
    label: options.label,
    child,
    url,
    output: () => tail.join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await answers(url))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.label} exited before serving:\n${running.output()}`);
    }
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`${options.label} did not serve ${url} in time:\n${running.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return running;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export { freePort };
