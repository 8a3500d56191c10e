import type { EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';

export interface ApiKeyLookup {
  id: string;
  tenant_id: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
}

/**
 * API keys of the transaction's tenant (row-level security applies to every method but the
 * two that call the owner's functions, which the gateway needs before a tenant is known).
 */
export class ApiKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  list(): Promise<ApiKeyEntity[]> {
    return this.manager.find(ApiKeyEntity, { order: { createdAt: 'DESC' }, take: 500 });
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.manager.findOne(ApiKeyEntity, { where: { id } });
  }

  async countLive(): Promise<number> {
    const [row] = await this.manager.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM auth.api_keys
        WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    );
    return row?.count ?? 0;
  }

  async insert(
    key: Omit<ApiKeyEntity, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'replacedBy'>,
  ) {
    return this.manager.save(ApiKeyEntity, this.manager.create(ApiKeyEntity, key));
  }

  /** Ends a live key now; false when it was already revoked or expired. */
  async revoke(id: string): Promise<boolean> {
    const [, affected] = await this.manager.query<[unknown, number]>(
      `UPDATE auth.api_keys SET revoked_at = now()
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [id],
    );
    return affected > 0;
  }

  /** Ends every live key `userId` created in the transaction's tenant; their ids. */
  async revokeCreatedBy(tenantId: string, userId: string): Promise<string[]> {
    const [rows] = await this.manager.query<[{ id: string }[], number]>(
      `UPDATE auth.api_keys SET revoked_at = now()
        WHERE tenant_id = $1 AND created_by = $2 AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())
        RETURNING id`,
      [tenantId, userId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * The old key of a rotation keeps working until `until` (or its own expiry, if sooner): when
   * it stops.
   */
  async retire(id: string, until: Date, replacedBy: string): Promise<Date> {
    const [rows] = await this.manager.query<[{ expires_at: Date }[], number]>(
      `UPDATE auth.api_keys
          SET expires_at = LEAST(coalesce(expires_at, $2), $2), replaced_by = $3
        WHERE id = $1
        RETURNING expires_at`,
      [id, until, replacedBy],
    );
    return rows[0]!.expires_at;
  }

  async findByPrefix(prefix: string): Promise<ApiKeyLookup | null> {
    const rows = await this.manager.query<ApiKeyLookup[]>(`SELECT * FROM auth.find_api_key($1)`, [
      prefix,
    ]);
    return rows[0] ?? null;
  }

  /**
   * Across tenants: when each key revoked or rotated after `since` stops (or stopped) working,
   * through the owner's function.
   */
  async endingsSince(since: Date): Promise<{ id: string; endsAt: Date }[]> {
    const rows = await this.manager.query<{ id: string; ends_at: Date }[]>(
      `SELECT * FROM auth.api_key_endings_since($1)`,
      [since],
    );
    return rows.map((row) => ({ id: row.id, endsAt: row.ends_at }));
  }

  async touch(ids: string[], at: Date): Promise<void> {
    await this.manager.query(`SELECT auth.touch_api_keys($1::uuid[], $2)`, [ids, at]);
  }
}
