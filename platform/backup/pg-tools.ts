import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childProcessEnv } from '../config/child-env';

/** libpq's environment for `databaseUrl`, so no password shows in a process list. */
export function libpqEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const parsed = new URL(databaseUrl);
  return childProcessEnv({
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
  });
}

export type PgTool = 'pg_dump' | 'pg_restore';

/** pg_dump or pg_restore could not run, failed, or ran too long; the message says which. */
export class PgToolError extends Error {
  constructor(
    readonly tool: PgTool,
    readonly reason: 'missing' | 'failed' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'PgToolError';
  }
}

export interface PgToolOptions {
  databaseUrl: string;
  /** Where pg_dump and pg_restore are; by default they are looked up on PATH. */
  binDir?: string;
  /** The tool is killed after this long. */
  timeoutMs: number;
}

/** What is kept of a tool's stderr for the error: its last lines are the ones that explain. */
const STDERR_TAIL_BYTES = 2_048;

/**
 * Runs a PostgreSQL client tool against `databaseUrl` (credentials through libpq's
 * environment). Resolves when it exits 0; otherwise fails with a {@link PgToolError} naming
 * the tool, its exit code and the end of what it wrote to stderr.
 */
export function runPgTool(tool: PgTool, args: string[], options: PgToolOptions): Promise<void> {
  const command = options.binDir ? join(options.binDir, tool) : tool;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: libpqEnv(options.databaseUrl),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const where = options.binDir ? `in ${options.binDir}` : 'on PATH';
      reject(
        error.code === 'ENOENT'
          ? new PgToolError(
              tool,
              'missing',
              `${tool} was not found ${where}: install PostgreSQL's client tools (the server's major version or newer) or set BACKUP_PG_BIN_DIR`,
            )
          : new PgToolError(tool, 'failed', `${tool} could not start: ${error.message}`),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new PgToolError(tool, 'timeout', `${tool} ran longer than ${options.timeoutMs} ms`));
      } else if (code !== 0) {
        const detail = stderr.trim().split('\n').slice(-3).join(' | ');
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new PgToolError(tool, 'failed', `${tool} ${how}${detail ? `: ${detail}` : ''}`));
      } else {
        resolve();
      }
    });
  });
}
