import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the retention purges look expired rows up by: sessions by expiry (revoked ones already
 * have sessions_revoked_at_idx), email tokens by expiry and by use.
 */
export class IndexCredentialExpiry1764028870000 implements MigrationInterface {
  name = 'IndexCredentialExpiry1764028870000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX sessions_expires_idx ON auth.sessions (expires_at)`);
    await runner.query(`CREATE INDEX email_tokens_expires_idx ON auth.email_tokens (expires_at)`);
    await runner.query(
      `CREATE INDEX email_tokens_used_idx ON auth.email_tokens (used_at) WHERE used_at IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX auth.email_tokens_used_idx`);
    await runner.query(`DROP INDEX auth.email_tokens_expires_idx`);
    await runner.query(`DROP INDEX auth.sessions_expires_idx`);
  }
}
