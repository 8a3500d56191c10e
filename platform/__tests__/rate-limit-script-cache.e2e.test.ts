import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SlidingWindowLimiter } from '../rate-limit/sliding-window';
import { eventually } from '../../testing/eventually';
import { testRedisPrefix } from '../../testing/redis';

// The limiter's Lua script on a Redis that forgets scripts (a restart, a failover): the rest of
// the limiter is tested in rate-limit.test.ts against the shared server.
describe('on a server that does not have the script cached', () => {
  // A private redis-server: SCRIPT FLUSH on the shared one would disturb other test files.
  let server: ChildProcess;
  let dir: string;
  let own: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));
    const socket = join(dir, 'redis.sock');
    server = spawn(
      'redis-server',
      ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    own = new Redis({ path: socket, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    own.on('error', () => undefined);
    // The server takes a moment to create its socket: wait for its answer, not a time.
    await eventually(() => own.ping().catch(() => null));
  });

  afterAll(async () => {
    own.disconnect();
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Executions of EVAL and EVALSHA so far; a NOSCRIPT reply counts as a failed call. */
  async function scriptCalls(): Promise<{ eval: number; evalsha: number; noscript: number }> {
    const stats = await own.info('commandstats');
    const stat = (command: string, field: string) =>
      Number(new RegExp(`^cmdstat_${command}:.*\\b${field}=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
    return {
      eval: stat('eval', 'calls'),
      evalsha: stat('evalsha', 'calls'),
      noscript: stat('evalsha', 'failed_calls'),
    };
  }

  it('loads it with EVAL once, uses EVALSHA after, and reloads after SCRIPT FLUSH', async () => {
    const limit = new SlidingWindowLimiter(own, {
      prefix: testRedisPrefix(),
      name: 'script-cache',
      limit: 5,
      windowMs: 60_000,
      failMode: 'closed',
    });
    expect(await limit.consume('u')).toMatchObject({ allowed: true, remaining: 4 });
    expect(await scriptCalls()).toEqual({ eval: 1, evalsha: 1, noscript: 1 });

    expect(await limit.consume('u')).toMatchObject({ allowed: true, remaining: 3 });
    expect(await scriptCalls()).toEqual({ eval: 1, evalsha: 2, noscript: 1 });

    // a restart or failover to a fresh replica forgets scripts, but not the data
    await own.script('FLUSH');
    expect(await limit.consume('u')).toMatchObject({ allowed: true, remaining: 2 });
    expect(await scriptCalls()).toEqual({ eval: 2, evalsha: 3, noscript: 2 });
  });
});
