import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError, ValidationError } from '../../platform/errors/domain-errors';
import { checkOperation, type OperationChecks } from './operation-access';
import { asGraphQLError } from '../security/limits';
import type { GatewayContext } from '../gateway-context';

/**
 * Runs {@link checkOperation} after validation and before the query plan, so no subgraph is
 * ever called for a refused operation; the refusal keeps its code, details and status.
 */
export function operationChecksPlugin(checks: OperationChecks): ApolloServerPlugin<GatewayContext> {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's plugin hooks return promises
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, schema, request }) {
          if (!operation) {
            // Without policies (generic mode) the executor answers it, as any gateway would.
            if (!checks.access) return;
            // Left to the gateway's executor, an operationName naming no operation was a 500.
            throw toGraphQLError(
              new ValidationError(
                request.operationName
                  ? `Unknown operation named "${request.operationName.slice(0, 100)}"`
                  : 'Send one operation, or name the one to run in operationName',
              ),
            );
          }
          if (contextValue.accessRefusal) throw contextValue.accessRefusal;
          if (contextValue.accessChecked) return;
          try {
            await checkOperation(
              operation,
              document,
              schema,
              contextValue,
              request.variables,
              checks,
            );
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            throw asGraphQLError(error);
          }
        },
      };
    },
  };
}

/** A domain error as Apollo and graphql-ws return it: message, code, details, HTTP status. */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.details, http: { status: error.httpStatus } },
  });
}
