import type { EntityManager } from 'typeorm';

/**
 * What a user's tenants say about the user's sessions, through `tenancy.session_cap_of_user`
 * and `tenancy.session_retention_overrides`.
 */
export class SessionSettingsRepository {
  constructor(private readonly manager: EntityManager) {}

  async capOf(userId: string): Promise<number | null> {
    const [row] = await this.manager.query<{ cap: number | null }[]>(
      `SELECT tenancy.session_cap_of_user($1) AS cap`,
      [userId.toLowerCase()],
    );
    return row?.cap ?? null;
  }

  /** Users after `after` whose tenants shorten their sessions' retention, by user id. */
  retentionOverrides(
    after: string | null,
    limit: number,
  ): Promise<{ userId: string; days: number }[]> {
    return this.manager.query(
      `SELECT user_id AS "userId", days FROM tenancy.session_retention_overrides($1::uuid, $2)`,
      [after, limit],
    );
  }
}
