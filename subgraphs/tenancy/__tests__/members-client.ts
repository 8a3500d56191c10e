import { randomUUID } from 'node:crypto';
import { postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';
import { markEmailVerified, signUpUser, type TestUser } from '../../../testing/members';
import type { TestStack } from '../../../testing/stack';

/** Every error's `extensions.code`, in order. */
export function codes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

/**
 * What the members tests do through the gateway and arrange in the database, for the stack
 * `current()` returns (it is started in the test file's beforeAll).
 */
export function membersClient(current: () => TestStack) {
  const gql = <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<GraphQLResponse<T>> =>
    postGraphQL<T>(current().gatewayUrl, { query, variables }, headers);

  const createTenantRow = async (id: string, slug: string): Promise<void> => {
    await current().db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, $3)`, [
      id,
      slug,
      `Tenant ${slug}`,
    ]);
  };

  return {
    gql,
    createTenantRow,
    /** A tenant of its own for a test that changes who belongs to it. */
    freshTenant: async (label: string): Promise<string> => {
      const id = randomUUID();
      await createTenantRow(id, `${label}-${id.slice(0, 8)}`);
      return id;
    },
    roleIn: async (tenantId: string, userId: string): Promise<string | null> => {
      const [row] = await current().db.query<{ role: string }>(
        `SELECT role FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`,
        [tenantId, userId],
      );
      return row?.role ?? null;
    },
    /** Invitations are accepted only by the account whose verified address they name. */
    verifiedUser: async (label: string): Promise<TestUser> => {
      const user = await signUpUser(current().gatewayUrl, label);
      await markEmailVerified(current().db, user);
      return user;
    },
  };
}
