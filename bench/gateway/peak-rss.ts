import { readdirSync, readFileSync } from 'node:fs';

export interface RssSampler {
  /** Stops sampling; the highest total seen, in bytes (undefined without /proc). */
  stop(): number | undefined;
}

/**
 * Samples the resident memory of `pid` and every process below it (a CLI that forks workers
 * is measured whole) every `intervalMs`, keeping the peak of the sum. Linux only: elsewhere
 * the peak is undefined and the table says so.
 */
export function sampleRss(pid: number, intervalMs = 200): RssSampler {
  let peak: number | undefined;
  const sample = () => {
    const total = treeRss(pid);
    if (total !== undefined) peak = Math.max(peak ?? 0, total);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

function treeRss(root: number): number | undefined {
  const own = rssOf(root);
  if (own === undefined) return undefined;
  return [...descendants(root)].reduce((sum, pid) => sum + (rssOf(pid) ?? 0), own);
}

/** VmRSS of one process in bytes; undefined once it is gone (or without /proc). */
function rssOf(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Every process below `root` (children, their children, …). */
export function descendants(root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces; ppid follows it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone between listing and reading.
    }
  }
  const found = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}
