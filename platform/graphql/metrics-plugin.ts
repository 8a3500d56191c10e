import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ServiceMetrics } from '../observability/metrics';
import { OPERATION_TYPES } from '../observability/metrics';

/** Counts and times every operation by type and outcome; labels stay bounded. */
export function metricsPlugin<T extends BaseContext>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, errors }) {
          const type = operation?.operation ?? 'unknown';
          const operationType = (OPERATION_TYPES as readonly string[]).includes(type)
            ? type
            : 'unknown';
          const outcome = errors && errors.length > 0 ? 'error' : 'ok';
          metrics.graphqlOperations.inc({ operation_type: operationType, outcome });
          metrics.graphqlDuration.observe(
            { operation_type: operationType },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}
