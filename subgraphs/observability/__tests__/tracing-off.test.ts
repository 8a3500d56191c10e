import { trace } from '@opentelemetry/api';
import { parseConfig } from '../../../platform/config/load';
import { tracing } from '../../../platform/config/tracing';
import {
  inSpan,
  startTracing,
  traceCarrier,
  tracingEnabled,
} from '../../../platform/observability/tracing';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';

describe('tracing by default', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no provider, no span, nothing in headers or jobs', async () => {
    const config = parseConfig(tracing, {});
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const running = await startTracing('test', config);
    expect(tracingEnabled()).toBe(false);
    let seen: unknown = 'not called';
    await inSpan('x', {}, async (span) => {
      seen = span;
      expect(traceCarrier()).toEqual({});
      expect(trace.getActiveSpan()).toBeUndefined();
    });
    expect(seen).toBeUndefined();
    expect(Object.keys(correlatedJobData({ a: 1 }, { tenantId: null }))).not.toContain(
      'traceparent',
    );
    await running.shutdown();
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => parseConfig(tracing, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
