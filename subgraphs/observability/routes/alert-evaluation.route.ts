import { alertEvaluationCall } from '../../../platform/contracts/observability/alert-evaluation';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import type { AlertEvaluator } from '../alerts/evaluation/alert-evaluator.service';

/** `POST /internal/alerts/evaluate`: one round of alert evaluation, for the worker's job. */
export function alertEvaluationRoute(
  runtime: SubgraphRuntime,
  evaluator: AlertEvaluator,
): Record<string, RequestHandler> {
  return {
    [alertEvaluationCall.path]: signedJsonRoute(runtime, alertEvaluationCall, () =>
      evaluator.evaluate(),
    ),
  };
}
