/**
 * The environment for a client tool this process spawns (pg_dump, pg_restore): this process's
 * own (PATH, locale, TLS settings libpq reads) plus `extra`, which wins. Credentials go in
 * `extra`, never on the tool's command line, where a process list would show them.
 */
export function childProcessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
