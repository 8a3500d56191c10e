/** Node options that make a process write a V8 CPU profile into `dir` as it exits (none: no dir). */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
