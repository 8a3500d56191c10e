import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Preloaded (node --require) into the servers the subscription bench measures, never into a
// deployment: on SIGUSR2 it collects garbage (the server runs with --expose-gc) and writes
// process.memoryUsage() to $BENCH_MEMORY_DIR/<pid>.json, numbered, so a reading compares live
// objects rather than garbage a collection has not reached yet, and the bench waits on the
// reading it asked for instead of sleeping.
const folder = process.env.BENCH_MEMORY_DIR;
if (folder) {
  let reading = 0;
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    // Twice: the first pass may only queue finalizers whose objects the second frees.
    gc?.();
    gc?.();
    reading += 1;
    const file = join(folder, `${process.pid}.json`);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ reading, gc: Boolean(gc), ...process.memoryUsage() }),
    );
    renameSync(`${file}.tmp`, file);
  });
}
