import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ServiceMetrics } from '../observability/metrics';
import { OPERATION_TYPES } from '../observability/metrics';
import { OperationNameLabels } from '../observability/operation-names';

/** Counts and times one operation: its type, its name (bounded) and its outcome. */
export type OperationRecorder = (
  operation: { type: string | undefined; name: string | null | undefined },
  outcome: 'ok' | 'error',
  seconds: number,
) => void;

export function operationRecorder(metrics: ServiceMetrics): OperationRecorder {
  const names = new OperationNameLabels();
  return ({ type, name }, outcome, seconds) => {
    const operationType = (OPERATION_TYPES as readonly (string | undefined)[]).includes(type)
      ? type!
      : 'unknown';
    const operation_name = names.label(name);
    metrics.graphqlOperations.inc({ operation_type: operationType, operation_name, outcome });
    metrics.graphqlDuration.observe({ operation_type: operationType, operation_name }, seconds);
  };
}

/** Counts and times every operation by type, name and outcome; labels stay bounded. */
export function metricsPlugin<T extends BaseContext>(
  metrics: ServiceMetrics,
  record: OperationRecorder = operationRecorder(metrics),
): ApolloServerPlugin<T> {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
        async willSendResponse({ operation, operationName, errors }) {
          record(
            { type: operation?.operation, name: operationName ?? operation?.name?.value },
            errors && errors.length > 0 ? 'error' : 'ok',
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}
