import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../eventually';
import { freePort } from '../free-port';

export interface OwnedRedis {
  port: number;
  url: string;
  /** Arguments the server was started with (after `--port`), e.g. to add `--cluster-enabled`. */
  args: readonly string[];
  /** Starts it again on the same port (after {@link stop} or {@link kill}). */
  start(): Promise<void>;
  /** `redis-cli shutdown`, as an operator restarting it would, and waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crashed or OOM-killed server. */
  kill(): Promise<void>;
  /** Stops it for good and removes its working directory. */
  dispose(): Promise<void>;
  cli(...command: string[]): string;
  /** redis-cli with these arguments before the server's address (e.g. `--cluster create`). */
  cliSync(args: string[]): string;
  running(): boolean;
}

/**
 * A redis-server this test run owns, on a port and in a directory of its own: the suite can
 * stop and start it without touching the machine's Redis that other test files share.
 */
export async function startOwnedRedis(
  options: {
    port?: number;
    args?: string[];
    /** A Sentinel (config written to its own file, which it rewrites), not a data server. */
    sentinel?: string;
  } = {},
): Promise<OwnedRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `tessera-redis-${port}-`));
  const args = options.args ?? [];
  const config = join(dir, 'sentinel.conf');
  if (options.sentinel !== undefined) writeFileSync(config, options.sentinel);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const cli = (...command: string[]) =>
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], {
      encoding: 'utf8',
      timeout: 5_000,
    }).stdout.trim();

  const start = async () => {
    const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    const server = spawn(
      'redis-server',
      options.sentinel !== undefined
        ? [config, '--sentinel', ...common, ...args]
        : [
            ...common,
            '--save',
            '',
            // An append-only file, as a production Redis keeps: queues and schedules outlive a
            // restart (a restart that loses everything is a different failure).
            '--appendonly',
            'yes',
            ...args,
          ],
      { stdio: 'ignore' },
    );
    child = server;
    exited = new Promise((resolve) => server.once('exit', () => resolve()));
    await eventually(
      () => {
        if (server.exitCode !== null) throw new Error(`redis-server on ${port} exited at start`);
        return cli('ping') === 'PONG';
      },
      10_000,
      `redis-server on ${port} answering`,
    );
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  await start();
  return {
    cliSync: (extra) =>
      spawnSync('redis-cli', extra, { encoding: 'utf8', timeout: 30_000 }).stdout.trim(),
    running,
    port,
    url: `redis://127.0.0.1:${port}`,
    args,
    start,
    cli,
    async stop() {
      if (!running()) return;
      cli('shutdown');
      await exited;
    },
    async kill() {
      if (running()) child!.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      if (running()) child!.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
