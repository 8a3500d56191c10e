import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode, TenantRequiredError } from '../platform/errors';
import type { GatewayContext } from './signed-data-source';
import type { TenantPolicy } from './tenant-policy';

/**
 * Refuses a tenant-scoped operation that names no tenant, after validation and before the
 * query plan runs, so no subgraph is ever called for it.
 */
export function tenantRequiredPlugin(policy: TenantPolicy): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation || contextValue.request.tenantId) return;
          const scoped = policy.tenantScopedFields(operation, document);
          if (scoped.length === 0) return;
          const fields = scoped.map((field) => `"${field}"`).join(', ');
          const error = new TenantRequiredError(
            `${fields} ${scoped.length === 1 ? 'is' : 'are'} tenant-scoped: send the X-Tenant-Id header`,
          );
          throw new GraphQLError(error.message, {
            extensions: { code: ErrorCode.TENANT_REQUIRED, http: { status: 400 } },
          });
        },
      };
    },
  };
}
