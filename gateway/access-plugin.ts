import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError, TenantRequiredError } from '../platform/errors';
import { assertRequirement } from '../platform/graphql/field-policy';
import type { FieldRequirements } from './field-requirements';
import type { GatewayContext } from './signed-data-source';
import type { TenantPolicy } from './tenant-policy';

/**
 * Decides, after validation and before the query plan runs, whether the caller may run the
 * operation, so no subgraph is ever called for a refused one:
 * 1. a tenant-scoped operation must name a tenant, and `authorize` (membership, API key,
 *    tenant status) must let the caller into it, which also settles the caller's role;
 * 2. every field with a policy directive, at any depth, must accept that role, the API key's
 *    scopes, or platform admin rights.
 * Operations of tenantless fields only skip step 1, even with an X-Tenant-Id header.
 */
export function accessPlugin(
  tenants: TenantPolicy,
  fields: FieldRequirements,
  authorize: (context: GatewayContext) => Promise<void>,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, schema }) {
          if (!operation) return;
          const { request } = contextValue;
          try {
            const scoped = tenants.tenantScopedFields(operation, document);
            if (scoped.length > 0) {
              if (!request.tenantId) {
                const names = scoped.map((field) => `"${field}"`).join(', ');
                throw new TenantRequiredError(
                  `${names} ${scoped.length === 1 ? 'is' : 'are'} tenant-scoped: send the X-Tenant-Id header`,
                );
              }
              await authorize(contextValue);
            }
            for (const { coordinate, requirement } of fields.of(operation, document, schema)) {
              assertRequirement(requirement, request, coordinate);
            }
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
