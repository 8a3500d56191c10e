import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../platform/paths';

export interface BareProxy {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `bench/lib/bare-proxy.ts` in front of `upstream`, as deployed (NODE_ENV=production). */
export async function startBareProxy(upstream: string): Promise<BareProxy> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/bench/lib/bare-proxy.js')], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_UPSTREAM: upstream },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /"port":(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(([code]) => reject(new Error(`the bare proxy exited with ${String(code)}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
