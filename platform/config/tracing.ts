import { z } from 'zod';
import { integer, url } from './fields';

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is set (then every process exports its
 * spans there over OTLP/HTTP, JSON, to `<endpoint>/v1/traces`). The names are OpenTelemetry's
 * own, so a collector's usual environment works unchanged.
 */
export const tracing = {
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https'])
    .optional()
    .describe(
      'An OTLP/HTTP collector, e.g. `http://collector:4318`: spans go to `<endpoint>/v1/traces`.',
    ),
  OTEL_BSP_SCHEDULE_DELAY: integer(5_000, 10, 60_000).describe(
    'How long finished spans wait in the batch before they are sent.',
  ),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(1)
    .describe(
      'The share of new traces recorded (0-1); a request continuing a trace follows its parent.',
    ),
};

export type TracingConfig = z.infer<z.ZodObject<typeof tracing>>;
