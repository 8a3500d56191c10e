import { readFileSync } from 'node:fs';

// /proc/<pid>/stat counts CPU time in clock ticks; Linux's USER_HZ is 100 on every
// architecture Node runs on, so a tick is 10 ms.
const MS_PER_TICK = 10;

/** User + system CPU time (ms) the processes `pids` have used so far. */
export function cpuTimeMs(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + processCpuMs(pid), 0);
}

function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** CPU time the processes use while `work` runs, beside its result. */
export async function measureCpu<T>(
  pids: readonly number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number }> {
  const before = cpuTimeMs(pids);
  const result = await work();
  return { result, cpuMs: cpuTimeMs(pids) - before };
}
