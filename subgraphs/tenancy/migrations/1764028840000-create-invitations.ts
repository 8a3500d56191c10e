import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

/**
 * Invitations to join a tenant. The token is stored only as its SHA-256 (`token_hash`); the
 * whole token is shown once to the inviter and mailed to the invitee. A row is pending until
 * `accepted_at` is set (by the one UPDATE that consumes the token) or it is deleted (revoked,
 * replaced, or cleared once expired). At most one pending invitation per (tenant, email).
 *
 * Accepting happens before the tenant is known (the token is all the invitee has), so row-
 * level security would hide every row: `tenancy.open_invitation_tenant` runs as the schema
 * owner and answers only which tenant a still-open invitation belongs to. The acceptance
 * itself then runs inside that tenant's transaction, under row-level security.
 */
export class CreateInvitations1764028840000 implements MigrationInterface {
  name = 'CreateInvitations1764028840000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tenancy.invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenancy.tenants (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')),
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        invited_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid,
        CONSTRAINT invitations_expiry_check CHECK (expires_at > created_at),
        CONSTRAINT invitations_accepted_check CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
      )`);
    // Acceptance finds the invitation by its token's hash (and the lookup function does).
    await runner.query(
      `CREATE UNIQUE INDEX invitations_token_hash_key ON tenancy.invitations (token_hash)`,
    );
    // One pending invitation per address and tenant; also serves replacing and counting them.
    await runner.query(
      `CREATE UNIQUE INDEX invitations_pending_email_key ON tenancy.invitations (tenant_id, email)
        WHERE accepted_at IS NULL`,
    );
    // Listing a tenant's invitations newest first, and clearing its stale ones.
    await runner.query(
      `CREATE INDEX invitations_tenant_created_idx ON tenancy.invitations (tenant_id, created_at DESC)`,
    );
    await grantTableToApp(runner, 'tenancy.invitations');
    await enableTenantIsolation(runner, 'tenancy.invitations');

    // The tenant of a still-open invitation (not accepted, not expired), or NULL. Nothing else
    // leaves the function: not the email, not the role, not whether the token ever existed.
    await runner.query(`
      CREATE FUNCTION tenancy.open_invitation_tenant(hash text)
      RETURNS uuid
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT i.tenant_id
          FROM tenancy.invitations i
         WHERE i.token_hash = hash AND i.accepted_at IS NULL AND i.expires_at > now()
      $$`);
    await grantFunctionToApp(runner, 'tenancy.open_invitation_tenant(text)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION tenancy.open_invitation_tenant(text)`);
    await runner.query(`DROP TABLE tenancy.invitations`);
  }
}
