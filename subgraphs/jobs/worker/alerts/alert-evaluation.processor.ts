import {
  ALERT_EVALUATION_PATH,
  alertEvaluationAnswerSchema,
  type AlertEvaluationAnswer,
} from '../../../../platform/alerts';
import { callInternalRoute } from '../internal-call';

/**
 * The `evaluate-alerts` job: asks the observability process, through its signed internal
 * route, to run one round of every tenant's rules. A failed round is not retried: the job
 * scheduler runs the next one on time, and rule state lives in the database, not here.
 */
export function evaluateAlerts(options: {
  observabilityUrl: string;
  signingSecret: string;
  timeoutMs: number;
}): Promise<AlertEvaluationAnswer> {
  return callInternalRoute({
    service: 'observability',
    baseUrl: options.observabilityUrl,
    path: ALERT_EVALUATION_PATH,
    what: 'the alert evaluation',
    body: {},
    answer: alertEvaluationAnswerSchema,
    signingSecret: options.signingSecret,
    timeoutMs: options.timeoutMs,
  });
}
