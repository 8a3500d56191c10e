import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError, TenantRequiredError } from '../platform/errors';
import type { GatewayContext } from './signed-data-source';
import type { TenantPolicy } from './tenant-policy';

/**
 * Guards tenant-scoped operations after validation and before the query plan runs, so no
 * subgraph is ever called for a refused one: the operation must name a tenant, and
 * `authorize` (membership, API key, tenant status) must let the caller into it. Operations
 * of tenantless fields only are left alone, even with an X-Tenant-Id header.
 */
export function tenantAccessPlugin(
  policy: TenantPolicy,
  authorize: (context: GatewayContext) => Promise<void>,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation) return;
          const scoped = policy.tenantScopedFields(operation, document);
          if (scoped.length === 0) return;
          try {
            if (!contextValue.request.tenantId) {
              const fields = scoped.map((field) => `"${field}"`).join(', ');
              throw new TenantRequiredError(
                `${fields} ${scoped.length === 1 ? 'is' : 'are'} tenant-scoped: send the X-Tenant-Id header`,
              );
            }
            await authorize(contextValue);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            throw new GraphQLError(error.message, {
              extensions: {
                code: error.code,
                ...error.details,
                http: { status: error.httpStatus },
              },
            });
          }
        },
      };
    },
  };
}
