import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../../testing/database';
import { signUpUser, type TestUser } from '../../testing/members';

export interface Reader {
  user: TestUser;
  /** The tenant it reads, shared with the other readers of that tenant. */
  tenantId: string;
}

export interface ReadersOptions {
  users: number;
  tenants: number;
  assetsPerTenant: number;
}

/** Sign-ups at once: each hashes a password (argon2), which is not what is measured. */
const SIGN_UPS_AT_ONCE = 4;

/**
 * Many distinct users, each signed up through the gateway (its own session and access token)
 * and a VIEWER of one of `tenants` tenants, each tenant holding `assetsPerTenant` assets
 * owned by its readers.
 */
export async function arrangeReaders(
  gatewayUrl: string,
  db: TestDatabase,
  options: ReadersOptions,
): Promise<Reader[]> {
  const tenantIds = Array.from({ length: options.tenants }, () => randomUUID());
  const users: TestUser[] = [];
  for (let start = 0; start < options.users; start += SIGN_UPS_AT_ONCE) {
    const batch = Math.min(SIGN_UPS_AT_ONCE, options.users - start);
    users.push(
      ...(await Promise.all(
        Array.from({ length: batch }, (_, offset) =>
          signUpUser(gatewayUrl, `reader${start + offset}`),
        ),
      )),
    );
  }
  const readers = users.map((user, index) => ({
    user,
    tenantId: tenantIds[index % tenantIds.length]!,
  }));
  await db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     SELECT id, 'read-' || n, 'Read ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [tenantIds],
  );
  await db.query(
    `INSERT INTO tenancy.memberships (tenant_id, user_id, role)
     SELECT t, u, 'VIEWER' FROM unnest($1::uuid[], $2::uuid[]) AS m(t, u)`,
    [readers.map((reader) => reader.tenantId), readers.map((reader) => reader.user.id)],
  );
  // Each tenant's assets, owned in turn by its readers.
  const owners = tenantIds.flatMap((tenantId) => {
    const members = readers.filter((reader) => reader.tenantId === tenantId);
    return Array.from({ length: options.assetsPerTenant }, (_, index) => ({
      tenantId,
      ownerId: members[index % members.length]!.user.id,
    }));
  });
  await db.query(
    `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
     SELECT t, 'file-' || n || '.txt', 'text/plain', n * 100, o
       FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS a(t, o, n)`,
    [owners.map((owner) => owner.tenantId), owners.map((owner) => owner.ownerId)],
  );
  return readers;
}
