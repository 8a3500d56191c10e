import { contextFromCarrier, inSpan, REQUEST_ID_ATTRIBUTE, SpanKind } from './tracing';

/** What a job needs to be traced: BullMQ's Job has all of it. */
interface TracedJob {
  name: string;
  queueName: string;
  id?: string;
  data: unknown;
}

/**
 * Runs a job in a span that continues the trace of whoever enqueued it: job data made with
 * `correlatedJobData` carries the enqueuing request's `traceparent` beside its `requestId`.
 */
export function inJobSpan<T>(job: TracedJob, fn: () => Promise<T>): Promise<T> {
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<
    string,
    unknown
  >;
  const traceparent = typeof data.traceparent === 'string' ? data.traceparent : undefined;
  const tracestate = typeof data.tracestate === 'string' ? data.tracestate : undefined;
  return inSpan(
    `job ${job.name}`,
    {
      kind: SpanKind.CONSUMER,
      parent: traceparent ? contextFromCarrier({ traceparent, tracestate }) : undefined,
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.destination.name': job.queueName,
        'tessera.job.id': job.id ?? '',
        ...(typeof data.requestId === 'string' && { [REQUEST_ID_ATTRIBUTE]: data.requestId }),
      },
    },
    fn,
  );
}
