import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { annotateActiveSpan } from '../observability/tracing';

/**
 * Names the request's span (started around the HTTP handler) after the operation, once
 * Apollo has parsed it: `graphql.operation.name` and `graphql.operation.type`.
 */
export function tracingPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
    async requestDidStart() {
      return {
        // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
        async didResolveOperation({ operationName, operation }) {
          annotateActiveSpan({
            'graphql.operation.name': operationName ?? '',
            'graphql.operation.type': operation?.operation ?? 'unknown',
          });
        },
      };
    },
  };
}
