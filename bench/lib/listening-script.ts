import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../platform/paths';

export interface ListeningScript {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  origin: string;
  pid: number;
  /** SIGTERM, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a bench helper (`dist/<script>`) that listens on a port of its choosing and prints
 * `{"msg":"listening","port":N}` once it does; fails if it exits first.
 */
export async function startListeningScript(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<ListeningScript> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /"port":(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(([code]) => reject(new Error(`${script} exited with ${String(code)}`)));
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
