import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError, ValidationError } from '../platform/errors';
import { checkOperationAccess, type AccessPolicies } from './operation-access';
import type { GatewayContext } from './gateway-context';

/**
 * Runs {@link checkOperationAccess} after validation and before the query plan, so no
 * subgraph is ever called for a refused operation; the refusal keeps its code and status.
 */
export function accessPlugin(policies: AccessPolicies): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, schema, request }) {
          // Left to the gateway's executor, an operationName naming no operation was a 500.
          if (!operation) {
            throw toGraphQLError(
              new ValidationError(
                request.operationName
                  ? `Unknown operation named "${request.operationName.slice(0, 100)}"`
                  : 'Send one operation, or name the one to run in operationName',
              ),
            );
          }
          if (contextValue.accessChecked) return;
          try {
            await checkOperationAccess(operation, document, schema, contextValue, policies);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            throw toGraphQLError(error);
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
