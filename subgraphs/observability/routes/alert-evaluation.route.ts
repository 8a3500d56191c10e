import { ALERT_EVALUATION_PATH, alertEvaluationRequestSchema } from '../../../platform/alerts';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import type { SubgraphRuntime } from '../../../platform/graphql';
import type { AlertEvaluator } from '../services/alert-evaluator.service';

/** `POST /internal/alerts/evaluate`: one round of alert evaluation, for the worker's job. */
export function alertEvaluationRoute(
  runtime: SubgraphRuntime,
  evaluator: AlertEvaluator,
): Record<string, RequestHandler> {
  return {
    [ALERT_EVALUATION_PATH]: signedJsonRoute(runtime, {
      name: 'alert evaluation',
      bodyLimitBytes: 1024,
      schema: alertEvaluationRequestSchema,
      expected: '{}',
      async handle(_request, _context, res) {
        sendJson(res, 200, await evaluator.evaluate());
      },
    }),
  };
}
