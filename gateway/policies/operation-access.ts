import type {
  DocumentNode,
  GraphQLSchema,
  OperationDefinitionNode,
  OperationTypeNode,
} from 'graphql';
import { TenantRequiredError } from '../../platform/errors/domain-errors';
import { assertRequirement } from '../../platform/graphql/field-policy';
import type { FieldRequirements } from './field-requirements';
import type { GatewayContext } from '../gateway-context';
import { assertCostLimit } from '../security/cost-limit';
import type { TenantPolicy } from './tenant-policy';

export interface AccessPolicies {
  tenants: TenantPolicy;
  fields: FieldRequirements;
  /**
   * Lets the caller into the request's tenant (membership, API key, status) and sets the role;
   * then the tenant's limits and usage quota admit the operation (of this type) or refuse it.
   */
  authorize(context: GatewayContext, operationType: OperationTypeNode): Promise<void>;
}

/**
 * Whether the caller may run the operation, decided before anything runs; throws a
 * DomainError:
 * 1. a tenant-scoped operation must name a tenant, and `authorize` must let the caller into
 *    it, which also settles the caller's role;
 * 2. every field with a policy directive, at any depth, must accept that role, the API key's
 *    scopes, or platform admin rights.
 * Operations of tenantless fields only skip step 1, even with a tenant named.
 */
export async function checkOperationAccess(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  schema: GraphQLSchema,
  context: GatewayContext,
  policies: AccessPolicies,
): Promise<void> {
  const { request } = context;
  const scoped = policies.tenants.tenantScopedFields(operation, document);
  if (scoped.length > 0) {
    if (!request.tenantId) {
      const names = scoped.map((field) => `"${field}"`).join(', ');
      throw new TenantRequiredError(
        `${names} ${scoped.length === 1 ? 'is' : 'are'} tenant-scoped: send the X-Tenant-Id header`,
      );
    }
    await policies.authorize(context, operation.operation);
  }
  for (const { coordinate, requirement } of policies.fields.of(operation, document, schema)) {
    assertRequirement(requirement, request, coordinate);
  }
}

/** What is decided about every operation before it runs, over HTTP and graphql-ws alike. */
export interface OperationChecks {
  /** GATEWAY_MAX_COST, for the request's variables. */
  maxCost: number;
  /** Tenancy and field policies; absent when the gateway runs with GATEWAY_POLICIES=off. */
  access?: AccessPolicies;
}

/**
 * The operation's cost for the variables sent (cheap, so first), then {@link
 * checkOperationAccess}; throws a DomainError.
 */
export async function checkOperation(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  schema: GraphQLSchema,
  context: GatewayContext,
  variables: Record<string, unknown> | null | undefined,
  checks: OperationChecks,
): Promise<void> {
  assertCostLimit(schema, document, operation, variables, checks.maxCost);
  if (checks.access) {
    await checkOperationAccess(operation, document, schema, context, checks.access);
  }
}
