import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from '../../platform/http/service-server';

// Prometheus scrapes one address and the port's connections are spread across workers, so a
// scrape answered from one worker's registry would see a random slice of the gateway. A worker
// asked for /metrics asks the primary instead, which collects every listening worker's
// registry over IPC and sums them with prom-client's AggregatorRegistry; counters then count
// the whole gateway. (AggregatorRegistry.clusterMetrics() would also ask a worker still
// starting, which cannot answer yet, and fail the scrape after 5 s.) A restarted worker's
// counts start from zero, which Prometheus reads as a counter reset.

const ASK_WORKER = 'tessera:metrics-of-worker';
const WORKER_ANSWER = 'tessera:metrics-of-worker-answer';
const ASK_CLUSTER = 'tessera:metrics-of-cluster';
const CLUSTER_ANSWER = 'tessera:metrics-of-cluster-answer';
/** How long the primary waits for one worker's registry. */
const WORKER_TIMEOUT_MS = 5_000;
/** Longer than the primary's own wait, so its error is the one reported. */
const CLUSTER_TIMEOUT_MS = 10_000;

/** One registry as JSON: what crosses IPC, and what AggregatorRegistry.aggregate sums. */
type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

type Message =
  | { type: typeof ASK_WORKER; id: number }
  | { type: typeof WORKER_ANSWER; id: number; metrics: RegistryJson }
  | { type: typeof ASK_CLUSTER; id: number }
  | ({ type: typeof CLUSTER_ANSWER; id: number } & (
      { body: string; contentType: string } | { error: string }
    ));

/**
 * In the primary: answers workers' requests for the whole cluster's metrics, gathered from
 * `listening()`, the workers serving requests (the others have none to count).
 */
export function answerMetricsRequests(listening: () => Worker[]): void {
  let nextId = 0;
  const waiting = new Map<number, (metrics: RegistryJson) => void>();
  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type === WORKER_ANSWER) waiting.get(message.id)?.(message.metrics);
    if (message?.type !== ASK_CLUSTER) return;
    const reply = (answer: Message) => {
      // The asking worker may have died meanwhile; nobody is left to answer then.
      if (worker.isConnected()) worker.send(answer);
    };
    Promise.all(listening().map((peer) => metricsOf(peer, nextId++)))
      .then((all) => {
        const summed = AggregatorRegistry.aggregate(all);
        return summed.metrics().then((body) => ({ body, contentType: summed.contentType }));
      })
      .then(
        (answer) => reply({ type: CLUSTER_ANSWER, id: message.id, ...answer }),
        (error: unknown) => reply({ type: CLUSTER_ANSWER, id: message.id, error: String(error) }),
      );
  });

  /** One worker's registry as JSON; nothing if it dies first (its counts die with it). */
  function metricsOf(worker: Worker, id: number): Promise<RegistryJson> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(id);
        worker.off('exit', onExit);
      };
      const onExit = () => {
        done();
        resolve([]);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`worker ${worker.id} did not send its metrics in time`));
      }, WORKER_TIMEOUT_MS);
      waiting.set(id, (metrics) => {
        done();
        resolve(metrics);
      });
      worker.once('exit', onExit);
      worker.send({ type: ASK_WORKER, id } satisfies Message);
    });
  }
}

/**
 * In a worker: answers the primary's requests for `registry`, and returns what /metrics
 * serves, the sum over every worker.
 */
export function clusterMetricsSource(registry: Registry): MetricsSource {
  let nextId = 0;
  type ClusterAnswer = Extract<Message, { type: typeof CLUSTER_ANSWER }>;
  const pending = new Map<number, (answer: ClusterAnswer) => void>();
  process.on('message', (message: Message) => {
    if (message?.type === CLUSTER_ANSWER) pending.get(message.id)?.(message);
    if (message?.type !== ASK_WORKER) return;
    void registry.getMetricsAsJSON().then((metrics) => {
      process.send!({ type: WORKER_ANSWER, id: message.id, metrics } satisfies Message);
    });
  });

  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer with the cluster’s metrics in time'));
      }, CLUSTER_TIMEOUT_MS);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        pending.delete(id);
        if ('error' in answer) reject(new Error(`cluster metrics: ${answer.error}`));
        else resolve({ contentType: answer.contentType, body: answer.body });
      });
      process.send!({ type: ASK_CLUSTER, id } satisfies Message);
    });
}
