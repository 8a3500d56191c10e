import { exitOnSignals } from '../../../platform/http/service-server';
import { loadWorkerConfig } from './config';
import { lowerCpuPriority } from './cpu-priority';
import { startWorker } from './worker-process';

const config = loadWorkerConfig();
lowerCpuPriority(config.WORKER_NICE);
startWorker(config).then(
  (worker) => exitOnSignals(worker, worker.logger),
  (error: unknown) => {
    process.stderr.write(
      `worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
