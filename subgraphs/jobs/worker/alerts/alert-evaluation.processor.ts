import { randomUUID } from 'node:crypto';
import {
  ALERT_EVALUATION_PATH,
  alertEvaluationAnswerSchema,
  type AlertEvaluationAnswer,
} from '../../../../platform/alerts';
import { anonymousContext, signContext } from '../../../../platform/context';

/**
 * The `evaluate-alerts` job: asks the observability process, through its signed internal
 * route, to run one round of every tenant's rules. A failed round is not retried: the job
 * scheduler runs the next one on time, and rule state lives in the database, not here.
 */
export async function evaluateAlerts(options: {
  observabilityUrl: string;
  signingSecret: string;
  timeoutMs: number;
}): Promise<AlertEvaluationAnswer> {
  const requestId = randomUUID();
  let response: Response;
  try {
    response = await fetch(new URL(ALERT_EVALUATION_PATH, options.observabilityUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...signContext(anonymousContext(requestId), options.signingSecret),
      },
      body: '{}',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new Error('observability is unreachable for the alert evaluation', { cause: error });
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new Error(
      `observability answered the alert evaluation with HTTP ${response.status} ${detail}`,
    );
  }
  const parsed = alertEvaluationAnswerSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success)
    throw new Error('observability answered the alert evaluation with a bad body');
  return parsed.data;
}
