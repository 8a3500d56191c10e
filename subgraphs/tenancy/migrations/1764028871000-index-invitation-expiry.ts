import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The retention purge finds a tenant's expired, never accepted invitations by expiry. */
export class IndexInvitationExpiry1764028871000 implements MigrationInterface {
  name = 'IndexInvitationExpiry1764028871000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX invitations_tenant_open_expires_idx ON tenancy.invitations (tenant_id, expires_at)
        WHERE accepted_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX tenancy.invitations_tenant_open_expires_idx`);
  }
}
