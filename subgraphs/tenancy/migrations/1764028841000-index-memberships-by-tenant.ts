import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queries of member management: a tenant's members page by page, oldest first (keyset on
 * created_at, id), and the count of its OWNERs that guards the last one.
 */
export class IndexMembershipsByTenant1764028841000 implements MigrationInterface {
  name = 'IndexMembershipsByTenant1764028841000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX memberships_tenant_created_idx
         ON tenancy.memberships (tenant_id, created_at, id)`,
    );
    await runner.query(
      `CREATE INDEX memberships_tenant_owners_idx ON tenancy.memberships (tenant_id)
        WHERE role = 'OWNER'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX tenancy.memberships_tenant_owners_idx`);
    await runner.query(`DROP INDEX tenancy.memberships_tenant_created_idx`);
  }
}
