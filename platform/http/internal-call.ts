import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { anonymousContext, signContext } from '../context';
import { traceCarrier } from '../observability/tracing';

/**
 * POSTs `body` as JSON to a subgraph's signed internal route (`path` on the origin of
 * `baseUrl`) and returns the answer checked against `answer`. Unreachable, non-2xx or
 * malformed answers throw, naming the service and what was asked, so the caller fails
 * visibly: a job is tried again by BullMQ (or its next scheduled run), a request answers
 * SERVICE_UNAVAILABLE.
 */
export async function callInternalRoute<TAnswer extends z.ZodType>(options: {
  service: string;
  baseUrl: string;
  path: string;
  /** Names the call in errors: "the tenant purge", "the retention purge"... */
  what: string;
  body: unknown;
  answer: TAnswer;
  signingSecret: string;
  timeoutMs: number;
}): Promise<z.infer<TAnswer>> {
  const requestId = randomUUID();
  let response: Response;
  try {
    response = await fetch(new URL(options.path, options.baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...signContext(anonymousContext(requestId), options.signingSecret),
        // The job's span as the parent of the subgraph's (nothing when tracing is off).
        ...traceCarrier(),
      },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new Error(`${options.service} is unreachable for ${options.what}`, { cause: error });
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new Error(
      `${options.service} answered ${options.what} with HTTP ${response.status} ${detail}`,
    );
  }
  const parsed = options.answer.safeParse(await response.json().catch(() => null));
  if (!parsed.success)
    throw new Error(`${options.service} answered ${options.what} with a bad body`);
  return parsed.data;
}
