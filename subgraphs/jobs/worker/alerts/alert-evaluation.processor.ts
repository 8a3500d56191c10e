import {
  alertEvaluationCall,
  type AlertEvaluationAnswer,
} from '../../../../platform/contracts/observability/alert-evaluation';
import type { InternalClient } from '../../../../platform/internal-calls/client';

/**
 * The `evaluate-alerts` job: asks the observability process, through its signed internal
 * route, to run one round of every tenant's rules. A failed round is not retried: the job
 * scheduler runs the next one on time, and rule state lives in the database, not here.
 */
export function evaluateAlerts(
  internal: InternalClient,
  timeoutMs: number,
): Promise<AlertEvaluationAnswer> {
  return internal.call(alertEvaluationCall, {}, { timeoutMs });
}
