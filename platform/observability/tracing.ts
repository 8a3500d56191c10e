import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { TracingConfig } from '../config/tracing';

/** The attribute every Tessera span carries: the request id of logs and error answers. */
export const REQUEST_ID_ATTRIBUTE = 'tessera.request_id';

const TRACER = 'tessera';
let enabled = false;

export interface Tracing {
  /** Sends what is still batched and stops; a no-op when tracing is off. */
  shutdown(): Promise<void>;
}

/**
 * Starts exporting this process's spans when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise
 * does nothing at all: the SDK is not even loaded, and {@link inSpan} calls its function
 * directly, so tracing costs nothing when it is off. One call per process, at start.
 */
export async function startTracing(service: string, config: TracingConfig): Promise<Tracing> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return { shutdown: () => Promise.resolve() };
  const [{ NodeTracerProvider }, base, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `tessera-${service}` }),
    sampler: new base.ParentBasedSampler({
      root: new base.TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG),
    }),
    spanProcessors: [
      new base.BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
        { scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY },
      ),
    ],
  });
  // The async-hooks context manager and the W3C trace-context propagator (`traceparent`).
  provider.register();
  enabled = true;
  return {
    async shutdown() {
      enabled = false;
      await provider.shutdown();
    },
  };
}

export function tracingEnabled(): boolean {
  return enabled;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The remote parent (from headers or job data); the active span otherwise. */
  parent?: Context;
}

/**
 * Runs `fn` in a new active span, ended when `fn` settles (an exception marks it failed).
 * With tracing off `fn` runs as is, with no span.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  const tracer = trace.getTracer(TRACER);
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The trace context a request arrived with (`traceparent` and `tracestate` headers). */
export function contextFromCarrier(
  carrier: Record<string, string | string[] | undefined> | undefined,
): Context | undefined {
  if (!enabled || !carrier) return undefined;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * The active trace context as `traceparent` (and `tracestate`): for an outgoing request's
 * headers or a job's data. Empty when tracing is off or no span is active.
 */
export function traceCarrier(): { traceparent?: string; tracestate?: string } {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * The trace context active now, to run work in later: a batch that finishes the work of
 * several spans runs each span's part in that span's context.
 */
export function captureTraceContext(): <T>(fn: () => T) => T {
  const captured = context.active();
  return (fn) => context.with(captured, fn);
}

/** Adds attributes to the active span, if any (operation names known only after parsing). */
export function annotateActiveSpan(attributes: Attributes): void {
  if (!enabled) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}

export { SpanKind };
