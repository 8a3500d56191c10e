import { readFileSync } from 'node:fs';

/** The machine's CPU time so far, all cores and every process (the first line of /proc/stat). */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is counted in user already).
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = ticks[3]! + ticks[4]!;
  return { busy: total - idle, total };
}

/**
 * The share of the machine's cores that were busy between two readings, 0 to 1: near 1, the
 * run was bound by the machine, so a second process could only share the same cores.
 */
export function busyShare(before: MachineCpu, after: MachineCpu): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}
