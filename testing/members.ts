import { randomUUID } from 'node:crypto';
import type { Role } from '../platform/context/request-context';
import { postGraphQL } from './graphql-client';

/** Anything that runs SQL as the owner: a TestDatabase. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface TestUser {
  id: string;
  email: string;
  accessToken: string;
  /** Headers of a request as this user, in `tenantId` when given. */
  headers(tenantId?: string): Record<string, string>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** Signs a new user up through the gateway, as a frontend would (`headers` on the request). */
export async function signUpUser(
  gatewayUrl: string,
  label = 'user',
  headers: Record<string, string> = {},
): Promise<TestUser> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const response = await postGraphQL<{ signUp: { accessToken: string; user: { id: string } } }>(
    gatewayUrl,
    {
      query: `mutation ($email: String!, $password: String!) { signUp(email: $email, password: $password) { accessToken user { id } } }`,
      variables: { email, password: TEST_PASSWORD },
    },
    headers,
  );
  const signedUp = response.body.data?.signUp;
  if (!signedUp) throw new Error(`sign-up failed: ${response.text}`);
  return {
    id: signedUp.user.id,
    email,
    accessToken: signedUp.accessToken,
    headers: (tenantId) => ({
      authorization: `Bearer ${signedUp.accessToken}`,
      ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
    }),
  };
}

/** Makes `userId` a member of `tenantId` directly in the database (arranging a test). */
export async function addMember(
  db: Queryable,
  tenantId: string,
  userId: string,
  role: Role,
): Promise<void> {
  await db.query(`INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)`, [
    tenantId,
    userId,
    role,
  ]);
}

/** Marks the user's address as verified directly in the database (arranging a test). */
export async function markEmailVerified(db: Queryable, user: TestUser): Promise<void> {
  await db.query(`UPDATE auth.users SET email_verified = true WHERE id = $1`, [user.id]);
}

/** A signed-up user who is a member of `tenantId` with `role`. */
export async function signUpMember(
  gatewayUrl: string,
  db: Queryable,
  tenantId: string,
  role: Role,
): Promise<TestUser> {
  const user = await signUpUser(gatewayUrl, role.toLowerCase());
  await addMember(db, tenantId, user.id, role);
  return user;
}

/** A user whose access token carries the platform-admin claim (granted, then signed in again). */
export async function signUpPlatformAdmin(gatewayUrl: string, db: Queryable): Promise<TestUser> {
  const user = await signUpUser(gatewayUrl, 'platform-admin');
  await db.query(`UPDATE auth.users SET platform_role = 'ADMIN' WHERE id = $1`, [user.id]);
  const signedIn = await postGraphQL<{ signIn: { accessToken?: string } }>(gatewayUrl, {
    query: `mutation ($email: String!, $password: String!) {
      signIn(email: $email, password: $password) { ... on AuthPayload { accessToken } } }`,
    variables: { email: user.email, password: TEST_PASSWORD },
  });
  const accessToken = signedIn.body.data?.signIn.accessToken;
  if (!accessToken) throw new Error(`platform admin sign-in failed: ${signedIn.text}`);
  return {
    ...user,
    accessToken,
    headers: (tenantId) => ({
      authorization: `Bearer ${accessToken}`,
      ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
    }),
  };
}
