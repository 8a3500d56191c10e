import type { EntityManager } from 'typeorm';

/** The session cap of a user's tenants, through `tenancy.session_cap_of_user`. */
export class SessionCapRepository {
  constructor(private readonly manager: EntityManager) {}

  async capOf(userId: string): Promise<number | null> {
    const [row] = (await this.manager.query(`SELECT tenancy.session_cap_of_user($1) AS cap`, [
      userId.toLowerCase(),
    ])) as { cap: number | null }[];
    return row?.cap ?? null;
  }
}
