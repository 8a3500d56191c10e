import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../../testing/database';
import { signUpUser, type TestUser } from '../../testing/members';

/** Clients that share one tenant: its ADMINs, each signed in with a session of their own. */
export const WRITERS_PER_TENANT = 2;
/** Tenants of each writer's own, to spread its webhook endpoints (at most 100 per tenant). */
const OWN_TENANTS_PER_WRITER = 8;

export interface Writer {
  user: TestUser;
  /** The tenant it renames and uploads to, shared with WRITERS_PER_TENANT - 1 others. */
  sharedTenantId: string;
  /** Tenants only it writes to, taken in turn for its webhook endpoints. */
  ownTenantIds: string[];
}

/**
 * One writer per concurrent client, each a distinct user signed up through the gateway (its
 * own session and access token), ADMIN of a tenant it shares and of tenants of its own.
 */
export async function arrangeWriters(
  gatewayUrl: string,
  db: TestDatabase,
  count: number,
): Promise<Writer[]> {
  const sharedTenants = Array.from({ length: Math.ceil(count / WRITERS_PER_TENANT) }, () =>
    randomUUID(),
  );
  const writers: Writer[] = [];
  for (let index = 0; index < count; index += 1) {
    writers.push({
      // One at a time: sign-ups hash passwords, which is not what is measured.
      user: await signUpUser(gatewayUrl, `writer${index}`),
      sharedTenantId: sharedTenants[index % sharedTenants.length]!,
      ownTenantIds: Array.from({ length: OWN_TENANTS_PER_WRITER }, () => randomUUID()),
    });
  }
  const tenants = [...sharedTenants, ...writers.flatMap((writer) => writer.ownTenantIds)];
  await db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     SELECT id, 'bench-' || n, 'Bench ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [tenants],
  );
  const memberships = writers.flatMap((writer) =>
    [writer.sharedTenantId, ...writer.ownTenantIds].map((tenantId) => [tenantId, writer.user.id]),
  );
  await db.query(
    `INSERT INTO tenancy.memberships (tenant_id, user_id, role)
     SELECT m[1]::uuid, m[2]::uuid, 'ADMIN' FROM unnest($1::text[]) AS u(pair),
            LATERAL (SELECT string_to_array(u.pair, ',') AS m) AS split`,
    [memberships.map((pair) => pair.join(','))],
  );
  return writers;
}

/** Every tenant the writers write to. */
export function tenantsOf(writers: readonly Writer[]): string[] {
  return [...new Set(writers.flatMap((writer) => [writer.sharedTenantId, ...writer.ownTenantIds]))];
}
