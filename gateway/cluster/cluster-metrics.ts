import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { MetricsSource } from '../../platform/http';

// Prometheus scrapes one address and the port's connections are spread across workers, so a
// scrape answered from one worker's registry would see a random slice of the gateway. A worker
// asked for /metrics asks the primary instead, which gathers every worker's registry over IPC
// (prom-client's AggregatorRegistry) and sums them; counters then count the whole gateway.
// A restarted worker's counts start from zero, which Prometheus reads as a counter reset.

const METRICS_REQUEST = 'tessera:cluster-metrics-request';
const METRICS_RESPONSE = 'tessera:cluster-metrics-response';
/** Above prom-client's own 5 s wait for the workers, so its error is the one reported. */
const ANSWER_TIMEOUT_MS = 10_000;

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

type MetricsResponse = { type: typeof METRICS_RESPONSE; id: number } & (
  { body: string; contentType: string } | { error: string }
);

/** In the primary: answers workers' requests for the whole cluster's metrics. */
export function answerMetricsRequests(logger: Logger): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: Partial<MetricsRequest>) => {
    if (message?.type !== METRICS_REQUEST || typeof message.id !== 'number') return;
    const id = message.id;
    const reply = (answer: MetricsResponse) => {
      // The asking worker may have died meanwhile; nobody is left to answer then.
      if (worker.isConnected()) worker.send(answer);
    };
    aggregator.clusterMetrics().then(
      (body) => reply({ type: METRICS_RESPONSE, id, body, contentType: aggregator.contentType }),
      (error: unknown) => {
        logger.warn({ err: error }, 'could not gather the workers’ metrics');
        reply({ type: METRICS_RESPONSE, id, error: String(error) });
      },
    );
  });
}

/**
 * In a worker: hands `registry` to the primary's gathering and returns what /metrics serves,
 * the sum over every worker.
 */
export function clusterMetricsSource(registry: Registry): MetricsSource {
  AggregatorRegistry.setRegistries(registry);
  // prom-client starts answering the primary's requests when an AggregatorRegistry is made.
  new AggregatorRegistry();

  let nextId = 0;
  const pending = new Map<number, (answer: MetricsResponse) => void>();
  process.on('message', (message: Partial<MetricsResponse>) => {
    if (message?.type !== METRICS_RESPONSE || typeof message.id !== 'number') return;
    pending.get(message.id)?.(message as MetricsResponse);
  });

  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer with the cluster’s metrics in time'));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        pending.delete(id);
        if ('error' in answer) reject(new Error(`cluster metrics: ${answer.error}`));
        else resolve({ contentType: answer.contentType, body: answer.body });
      });
      process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
