import { exitOnSignals } from '../../../platform/http';
import { loadWorkerConfig } from './config';
import { startWorker } from './worker-process';

startWorker(loadWorkerConfig()).then(
  (worker) => exitOnSignals(worker, worker.logger),
  (error: unknown) => {
    process.stderr.write(
      `worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
