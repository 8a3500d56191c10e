import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ServiceMetrics } from '../observability/metrics';
import { OPERATION_TYPES } from '../observability/metrics';
import { OperationNameLabels } from '../observability/operation-names';

/** Counts and times every operation by type, name and outcome; labels stay bounded. */
export function metricsPlugin<T extends BaseContext>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<T> {
  const names = new OperationNameLabels();
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
        async willSendResponse({ operation, operationName, errors }) {
          const type = operation?.operation ?? 'unknown';
          const operationType = (OPERATION_TYPES as readonly string[]).includes(type)
            ? type
            : 'unknown';
          const outcome = errors && errors.length > 0 ? 'error' : 'ok';
          const operation_name = names.label(operationName ?? operation?.name?.value);
          metrics.graphqlOperations.inc({ operation_type: operationType, operation_name, outcome });
          metrics.graphqlDuration.observe(
            { operation_type: operationType, operation_name },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}
