import { getPriority, setPriority } from 'node:os';

/**
 * Makes this process `nice` (never less nice than it already is: raising niceness needs no
 * privilege, lowering it would). Background work then takes only the CPU the API's processes
 * leave idle when they share cores; on cores of its own it runs at full speed.
 */
export function lowerCpuPriority(nice: number): void {
  if (nice > getPriority()) setPriority(nice);
}
