import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../platform/paths';
import { waitFor } from '../../testing/ws-client';

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  /** Whether the server collected garbage before the reading (it ran with --expose-gc). */
  collected: boolean;
}

/** Where measured servers write their readings, and the node options that make them do so. */
export interface MemoryProbe {
  folder: string;
  env: { BENCH_MEMORY_DIR: string; NODE_OPTIONS: string };
  remove(): void;
}

export function memoryProbe(): MemoryProbe {
  const folder = mkdtempSync(join(tmpdir(), 'tessera-bench-memory-'));
  const probe = join(repoRoot(), 'dist/bench/lib/memory-probe.js');
  return {
    folder,
    env: { BENCH_MEMORY_DIR: folder, NODE_OPTIONS: `--expose-gc --require ${probe}` },
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/**
 * The median of `samples` readings of `pid` (each after a forced collection): one reading can
 * land on a collection in progress or a buffer not yet released.
 */
export async function settledMemory(
  probe: MemoryProbe,
  pid: number,
  samples = 5,
): Promise<MemoryReading> {
  const readings: MemoryReading[] = [];
  for (let i = 0; i < samples; i += 1) readings.push(await readMemory(probe, pid));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    rssBytes: median(readings.map((r) => r.rssBytes)),
    heapUsedBytes: median(readings.map((r) => r.heapUsedBytes)),
    collected: readings.every((r) => r.collected),
  };
}

async function readMemory(probe: MemoryProbe, pid: number): Promise<MemoryReading> {
  const file = join(probe.folder, `${pid}.json`);
  const previous = readingOf(file)?.reading ?? 0;
  process.kill(pid, 'SIGUSR2');
  await waitFor(() => (readingOf(file)?.reading ?? 0) > previous, 10_000);
  const { rss, heapUsed, gc } = readingOf(file)!;
  return { rssBytes: rss, heapUsedBytes: heapUsed, collected: gc };
}

function readingOf(
  file: string,
): { reading: number; rss: number; heapUsed: number; gc: boolean } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as never;
  } catch {
    return undefined;
  }
}
