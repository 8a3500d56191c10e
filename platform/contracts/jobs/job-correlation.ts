import { z } from 'zod';
import { currentContext } from '../../context/request-context';
import { traceCarrier } from '../../observability/tracing';

/**
 * Who and what a job was enqueued for, carried at the top level of every job's data: the
 * request that caused it (`requestId`), the tenant whose work it is (`tenantId`, null for
 * platform work such as retention purges) and the actor behind it. Every enqueuer builds job
 * data with {@link correlatedJobData}, so the worker's logs, the jobs admin (which shows a
 * tenant only its own jobs) and the dead-letter store can all tell where a job came from.
 */
export const jobActorSchema = z.object({
  kind: z.enum(['user', 'apiKey', 'system']),
  id: z.uuid().nullable(),
});

export const jobCorrelationSchema = z.object({
  requestId: z.string().min(1).max(128).nullable(),
  tenantId: z.uuid().nullable(),
  actor: jobActorSchema.nullable(),
});
export type JobCorrelation = z.infer<typeof jobCorrelationSchema>;

export type CorrelatedJobData<T extends Record<string, unknown>> = T & JobCorrelation;

/**
 * Key names that must never carry a plaintext value in job data: job payloads sit in Redis,
 * in logs and in the dead-letter store. Jobs carry ids, or values encrypted with the key ring.
 */
const SENSITIVE_KEY =
  /pass(word|phrase)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential/i;
/** A key ring envelope (`v1.<kid>.<iv>.<ciphertext>`): safe to carry, it is encrypted. */
const ENCRYPTED = /^v1\.[a-z0-9-]{1,16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/;

/**
 * `payload` with the correlation of the current request, field by field overridden by
 * `correlation` (work with no request behind it is the system's). Throws when a sensitive key
 * holds anything but a key ring envelope: a programming error, caught by any test that
 * enqueues the job.
 */
export function correlatedJobData<T extends Record<string, unknown>>(
  payload: T,
  correlation: Partial<JobCorrelation> = {},
): CorrelatedJobData<T> {
  assertNoPlaintextSecrets(payload, '');
  const context = currentContext();
  const principal = context?.principal;
  const full = jobCorrelationSchema.parse({
    requestId:
      correlation.requestId === undefined ? (context?.requestId ?? null) : correlation.requestId,
    tenantId:
      correlation.tenantId === undefined
        ? (context?.tenantId ?? null)
        : (correlation.tenantId?.toLowerCase() ?? null),
    actor:
      correlation.actor === undefined
        ? principal
          ? { kind: principal.kind, id: principal.id }
          : { kind: 'system', id: null }
        : correlation.actor,
  });
  // The enqueuing request's trace context, so the job's span continues its trace (none when
  // tracing is off).
  return { ...payload, ...full, ...traceCarrier() };
}

/** The correlation a job's data carries; null fields where it carries none (or a bad one). */
export function correlationOf(data: unknown): JobCorrelation {
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const field = <T>(schema: z.ZodType<T>, value: unknown): T | null => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  const tenantId = field(z.uuid(), record.tenantId);
  return {
    requestId: field(z.string().min(1).max(128), record.requestId),
    tenantId: tenantId?.toLowerCase() ?? null,
    actor: field(jobActorSchema, record.actor),
  };
}

function assertNoPlaintextSecrets(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const where = path ? `${path}.${key}` : key;
    if (
      SENSITIVE_KEY.test(key) &&
      inner !== null &&
      inner !== undefined &&
      !(typeof inner === 'string' && ENCRYPTED.test(inner))
    ) {
      throw new Error(
        `job data "${where}" looks sensitive: enqueue an id, or encrypt it with the key ring`,
      );
    }
    assertNoPlaintextSecrets(inner, where);
  }
}
